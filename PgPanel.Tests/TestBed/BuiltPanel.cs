using PgPanel.Testing;

namespace PgPanel.Tests.TestBed;

/// <summary>
/// The panel from the solution's build output, run as its own process with the tests' token and admin password
/// (those of <see cref="PanelFactory"/>); killed at once when disposed.
/// </summary>
public static class BuiltPanel
{
    public static Task<PanelProcess> StartAsync(string dataDirectory, string environment = "Production", IReadOnlyDictionary<string, string>? settings = null, CancellationToken cancellationToken = default) =>
        PanelProcess.StartAsync(new PanelLaunch
        {
            WebAssembly = SolutionLayout.BuiltWebAssembly,
            DataDirectory = dataDirectory,
            Port = FreePorts.Take(1)[0],
            ApiToken = PanelFactory.Token,
            AdminPassword = PanelFactory.AdminPassword,
            Environment = environment,
            Settings = settings ?? new Dictionary<string, string>(),
            StartTimeout = TimeSpan.FromSeconds(30),
        }, cancellationToken);
}
