using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace PgPanel.Bench;

/// <summary>The panel as its own process (<c>dotnet PgPanel.Web.dll</c>), as an operator runs it; stopped by its PID.</summary>
public sealed class PanelProcess : IAsyncDisposable
{
    public const string ApiToken = "bench-token-0123456789abcdef";
    public const string AdminUser = "admin";
    public const string AdminPassword = "Bench-Admin-Password-2026";

    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private PanelProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>
    /// Publishes PgPanel.Web (already built, same configuration as this bench) into a directory, as it is deployed: the
    /// build output alone serves no static assets (blazor.web.js, MudBlazor) outside the Development environment.
    /// </summary>
    public static async Task<string> PublishAsync(string directory, CancellationToken cancellationToken)
    {
        var benchBin = AppContext.BaseDirectory.TrimEnd('/');
        var configuration = new DirectoryInfo(benchBin).Parent!.Name;
        var project = Path.Combine(RepositoryRoot(), "PgPanel.Web", "PgPanel.Web.csproj");
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
    public static async Task<PanelProcess> StartAsync(string publishDirectory, string dataDirectory, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var port = BenchPorts.Take(1)[0];
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = dataDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(publishDirectory, "PgPanel.Web.dll"));
        start.ArgumentList.Add("--contentRoot");
        start.ArgumentList.Add(publishDirectory);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        start.Environment["PgPanel__DataDirectory"] = dataDirectory;
        start.Environment["PgPanel__ApiToken"] = ApiToken;
        start.Environment["PgPanel__Bootstrap__AdminPassword"] = AdminPassword;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var panel = new PanelProcess(process, port);
        process.OutputDataReceived += (_, e) => panel.Append(e.Data);
        process.ErrorDataReceived += (_, e) => panel.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var probe = new HttpClient();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The panel exited with {process.ExitCode}: {panel.Log}");
            }

            try
            {
                if ((await probe.GetAsync(new Uri($"{panel.BaseUrl}/healthz"), cancellationToken).ConfigureAwait(false)).IsSuccessStatusCode)
                {
                    return panel;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        await panel.DisposeAsync().ConfigureAwait(false);
        throw new TimeoutException($"The panel did not answer /healthz within 60 s: {panel.Log}");
    }

    public HttpClient CreateApiClient()
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);
        return client;
    }

    /// <summary>SIGTERM (the panel marks running jobs interrupted and stops its commands), then SIGKILL after 15 s.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])))
            {
                await term!.WaitForExitAsync().ConfigureAwait(false);
            }

            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: false);
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }
        }

        _process.Dispose();
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PgPanel.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("PgPanel.sln not found above " + AppContext.BaseDirectory);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
