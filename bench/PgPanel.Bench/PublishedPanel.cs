using System.Diagnostics;
using PgPanel.Testing;

namespace PgPanel.Bench;

/// <summary>
/// The panel published (as it is deployed) and run as its own process with the bench's token and admin: quiet (warnings
/// only), and stopped with SIGTERM (running jobs marked interrupted) and SIGKILL after 15 s.
/// </summary>
public static class PublishedPanel
{
    public const string ApiToken = "bench-token-0123456789abcdef";
    public const string AdminUser = "admin";
    public const string AdminPassword = "Bench-Admin-Password-2026";

    /// <summary>
    /// Publishes PgPanel.Web (already built, same configuration as this bench) into a directory, as it is deployed: the
    /// build output alone serves no static assets (blazor.web.js, MudBlazor) outside the Development environment.
    /// </summary>
    public static async Task<string> PublishAsync(string directory, CancellationToken cancellationToken)
    {
        var configuration = SolutionLayout.Configuration;
        var project = Path.Combine(SolutionLayout.Root, "PgPanel.Web", "PgPanel.Web.csproj");
        var start = new ProcessStartInfo("dotnet", ["publish", project, "-c", configuration, "-o", directory, "--no-build", "--nologo", "-v", "q"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var dll = Path.Combine(directory, "PgPanel.Web.dll");
        return process.ExitCode == 0 && File.Exists(dll)
            ? directory
            : throw new InvalidOperationException($"dotnet publish PgPanel.Web failed ({process.ExitCode}); build the solution first (dotnet build -c {configuration} PgPanel.sln): {await output}{await errors}");
    }

    /// <summary>Starts the published panel (see <see cref="PublishAsync"/>) over a data directory and waits for /healthz.</summary>
    public static Task<PanelProcess> StartAsync(string publishDirectory, string dataDirectory, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var quiet = new Dictionary<string, string> { ["Logging:LogLevel:Default"] = "Warning" };
        foreach (var (key, value) in settings)
        {
            quiet[key] = value;
        }

        return PanelProcess.StartAsync(new PanelLaunch
        {
            WebAssembly = Path.Combine(publishDirectory, "PgPanel.Web.dll"),
            ContentRoot = publishDirectory,
            DataDirectory = dataDirectory,
            Port = BenchPorts.Take(1)[0],
            ApiToken = ApiToken,
            AdminPassword = AdminPassword,
            Settings = quiet,
            StartTimeout = TimeSpan.FromSeconds(60),
            StopGrace = TimeSpan.FromSeconds(15),
        }, cancellationToken);
    }
}
