using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace PgPanel.Testing;

/// <summary>
/// The panel as its own process (<c>dotnet PgPanel.Web.dll</c>), as an operator runs it: a test can kill it the way a
/// crash would, the bench measures it from outside. Its output is kept in <see cref="Log"/>; it is stopped by its PID.
/// </summary>
public sealed class PanelProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly PanelLaunch _launch;
    private readonly StringBuilder _log = new();

    private PanelProcess(Process process, PanelLaunch launch)
    {
        _process = process;
        _launch = launch;
    }

    public int Port => _launch.Port;

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public int Pid => _process.Id;

    /// <summary>True once the panel's process has ended (it must not, whatever a job meets).</summary>
    public bool HasExited => _process.HasExited;

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

    /// <summary>Starts the panel and waits until it answers /healthz; a panel that does not in time is stopped.</summary>
    public static async Task<PanelProcess> StartAsync(PanelLaunch launch, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = launch.DataDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(launch.WebAssembly);
        if (launch.ContentRoot is not null)
        {
            start.ArgumentList.Add("--contentRoot");
            start.ArgumentList.Add(launch.ContentRoot);
        }

        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{launch.Port}");
        start.Environment["PgPanel__DataDirectory"] = launch.DataDirectory;
        start.Environment["PgPanel__ApiToken"] = launch.ApiToken;
        start.Environment["PgPanel__Bootstrap__AdminPassword"] = launch.AdminPassword;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = launch.Environment;
        foreach (var (key, value) in launch.Settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var panel = new PanelProcess(process, launch);
        process.OutputDataReceived += (_, e) => panel.Append(e.Data);
        process.ErrorDataReceived += (_, e) => panel.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var probe = new HttpClient();
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < launch.StartTimeout)
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
        throw new TimeoutException($"The panel did not answer /healthz within {launch.StartTimeout.TotalSeconds:0} s: {panel.Log}");
    }

    /// <summary>A client of the REST API with the panel's token.</summary>
    public HttpClient CreateApiClient()
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _launch.ApiToken);
        return client;
    }

    /// <summary>SIGKILL, as a crash: the panel gets no chance to record anything. Returns the PIDs of the commands it had running.</summary>
    public IReadOnlyList<int> Kill()
    {
        var children = Descendants(_process.Id);
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
        return children;
    }

    /// <summary>Stops the panel as <see cref="PanelLaunch.StopGrace"/> says: SIGTERM and a grace period, or SIGKILL at once.</summary>
    public async ValueTask DisposeAsync()
    {
        var stopped = _process.HasExited || (_launch.StopGrace > TimeSpan.Zero && await TerminateAsync(_launch.StopGrace).ConfigureAwait(false));
        if (!stopped)
        {
            _process.Kill(entireProcessTree: false);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
    }

    /// <summary>Waits (without killing them) until the given processes have ended.</summary>
    public static async Task WaitForExitAsync(IEnumerable<int> pids, TimeSpan limit, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + limit;
        while (pids.Any(pid => Directory.Exists($"/proc/{pid}") && !IsZombie(pid)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>SIGTERM, then waits for the exit; false when the panel is still running after the grace period.</summary>
    private async Task<bool> TerminateAsync(TimeSpan grace)
    {
        using (var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])))
        {
            await term!.WaitForExitAsync().ConfigureAwait(false);
        }

        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static List<int> Descendants(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText($"{dir}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
            }
        }

        var result = new List<int>();
        var queue = new Queue<int>([root]);
        while (queue.Count > 0)
        {
            var current = queue.Dequeue();
            foreach (var (pid, parent) in parents)
            {
                if (parent == current)
                {
                    result.Add(pid);
                    queue.Enqueue(pid);
                }
            }
        }

        return result;
    }

    private static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
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
