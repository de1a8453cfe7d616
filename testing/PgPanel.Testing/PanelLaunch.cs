namespace PgPanel.Testing;

/// <summary>How to start the panel as its own process: which PgPanel.Web.dll, over which data directory, on which port.</summary>
public sealed record PanelLaunch
{
    /// <summary>The PgPanel.Web.dll to run with <c>dotnet</c>.</summary>
    public required string WebAssembly { get; init; }

    /// <summary>The content root (wwwroot and the static assets' manifest) when it is not the working directory; a published panel's directory.</summary>
    public string? ContentRoot { get; init; }

    /// <summary>The panel's data directory, also the process's working directory.</summary>
    public required string DataDirectory { get; init; }

    public required int Port { get; init; }

    public required string ApiToken { get; init; }

    public required string AdminPassword { get; init; }

    /// <summary>ASPNETCORE_ENVIRONMENT: Development serves the static assets from the build output.</summary>
    public string Environment { get; init; } = "Production";

    /// <summary>Further configuration, by key (<c>PgPanel:Monitoring:IntervalSeconds</c>), passed as environment variables.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>How long the panel may take to answer /healthz.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// On dispose: how long the panel has after SIGTERM (it marks running jobs interrupted and stops its commands) before
    /// SIGKILL. Zero: SIGKILL at once.
    /// </summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.Zero;
}
