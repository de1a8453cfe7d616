using System.Diagnostics;
using System.Text;

namespace PgPanel.Core.Hosts;

/// <summary>
/// Runs scripts on this machine with bash. As root it switches to another user with runuser, which keeps the
/// environment (secrets stay out of argv and out of the script text).
/// </summary>
public sealed class LocalShell : IHostShell
{
    private static readonly string CurrentUser = Environment.UserName;
    private static readonly bool IsRoot = CurrentUser == "root";

    public string Description => "this machine";

    public bool CanBecomeRoot => IsRoot;

    public string? HostKeyFingerprint => null;

    public PrivilegeMode? Privilege => null;

    public async Task<ShellResult> RunAsync(ShellCommand command, Action<string>? onOutput = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        var start = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        var needSwitch = command.RunAs is not null && command.RunAs != CurrentUser;
        if (needSwitch && !IsRoot)
        {
            throw new InvalidOperationException($"The panel runs as {CurrentUser} and cannot run commands as {command.RunAs}; run it as root or provision as {CurrentUser}.");
        }

        if (needSwitch)
        {
            start.FileName = "runuser";
            foreach (var arg in new[] { "-u", command.RunAs!, "--", "bash", "-c", WithStrictMode(command.Script) })
            {
                start.ArgumentList.Add(arg);
            }
        }
        else
        {
            start.FileName = "bash";
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(WithStrictMode(command.Script));
        }

        start.Environment["LC_ALL"] = "C";
        start.Environment["PAGER"] = "cat";
        // The panel itself: a long command in a group of its own watches it and ends when the panel is gone (kill -9).
        start.Environment["PGPANEL_SESSION_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (key, value) in command.Environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        var gate = new object();
        void OnLine(string line)
        {
            lock (gate)
            {
                output.Append(line).Append('\n');
                onOutput?.Invoke(line);
            }
        }

        process.Start();
        var stdout = PumpAsync(process.StandardOutput, OnLine);
        var stderr = PumpAsync(process.StandardError, OnLine);
        try
        {
            if (command.StandardInput is not null)
            {
                await process.StandardInput.WriteAsync(command.StandardInput.AsMemory(), cancellationToken).ConfigureAwait(false);
            }

            process.StandardInput.Close();
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            KillTree(process);
            throw;
        }
        catch (IOException) when (process.HasExited)
        {
            // The script exited before reading all of its input; its exit code tells what happened.
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
        }

        return new ShellResult(process.ExitCode, output.ToString());
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    internal static string WithStrictMode(string script) => "cd / 2>/dev/null || true\nset -o errexit -o nounset -o pipefail\n" + script;

    private static void KillTree(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static async Task PumpAsync(StreamReader reader, Action<string> onLine)
    {
        var splitter = new OutputLineSplitter(onLine);
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory()).ConfigureAwait(false)) > 0)
        {
            splitter.Write(buffer.AsSpan(0, read));
        }

        splitter.Flush();
    }
}
