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

    public static async Task<PanelProcess> StartAsync(string dataDirectory, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var port = BenchPorts.Take(1)[0];
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = dataDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(WebAssembly());
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

    /// <summary>PgPanel.Web.dll of the same configuration as this bench (the project reference builds it first).</summary>
    private static string WebAssembly()
    {
        var benchBin = AppContext.BaseDirectory.TrimEnd('/');
        var configuration = new DirectoryInfo(benchBin).Parent!.Name;
        var dll = Path.Combine(RepositoryRoot(), "PgPanel.Web", "bin", configuration, "net10.0", "PgPanel.Web.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build PgPanel.Web first (dotnet build -c Release PgPanel.sln).", dll);
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
