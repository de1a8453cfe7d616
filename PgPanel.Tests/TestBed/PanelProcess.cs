using System.Diagnostics;
using System.Net.Http.Headers;

namespace PgPanel.Tests.TestBed;

/// <summary>The panel as its own process (dotnet PgPanel.Web.dll), so a test can kill it the way a crash would.</summary>
public sealed class PanelProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _log = new();

    private PanelProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

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

    public static async Task<PanelProcess> StartAsync(string dataDirectory, string environment = "Production", IReadOnlyDictionary<string, string>? settings = null)
    {
        var port = FreePorts.Take(1)[0];
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
        start.Environment["PgPanel__ApiToken"] = PanelFactory.Token;
        start.Environment["PgPanel__Bootstrap__AdminPassword"] = PanelFactory.AdminPassword;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var process = Process.Start(start)!;
        var panel = new PanelProcess(process, port);
        process.OutputDataReceived += (_, e) => panel.Append(e.Data);
        process.ErrorDataReceived += (_, e) => panel.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var probe = new HttpClient();
        for (var i = 0; i < 300; i++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The panel exited with {process.ExitCode}: {panel.Log}");
            }

            try
            {
                if ((await probe.GetAsync($"http://127.0.0.1:{port}/healthz")).IsSuccessStatusCode)
                {
                    return panel;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The panel did not answer /healthz within 30 s: {panel.Log}");
    }

    public HttpClient CreateApiClient()
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", PanelFactory.Token);
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

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    /// <summary>Waits (without killing them) until the given processes have ended.</summary>
    public static async Task WaitForExitAsync(IEnumerable<int> pids, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (pids.Any(pid => Directory.Exists($"/proc/{pid}") && !IsZombie(pid)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
    }

    private static string WebAssembly()
    {
        var testBin = AppContext.BaseDirectory.TrimEnd('/');
        var configuration = new DirectoryInfo(testBin).Parent!.Name;
        var root = Path.GetFullPath(Path.Combine(testBin, "..", "..", "..", ".."));
        var dll = Path.Combine(root, "PgPanel.Web", "bin", configuration, "net10.0", "PgPanel.Web.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build PgPanel.Web first.", dll);
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
                parents[pid] = int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
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
