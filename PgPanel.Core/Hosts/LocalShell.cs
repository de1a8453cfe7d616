using System.Diagnostics;
using System.Text;

namespace PgPanel.Core.Hosts;

/// <summary>
/// Runs scripts on this machine with bash. As root it switches to another user with runuser, which keeps the
/// environment (secrets stay out of argv and out of the script text). Each user's commands run in one long-lived
/// <see cref="ShellSession"/> for as long as this shell lives (a job), so a check costs a fork, not a process start
/// and a PAM session; a command that comes while that session is busy, or whose text bash cannot carry, runs in a
/// process of its own with the same contract.
/// </summary>
public sealed class LocalShell : IHostShell
{
    private static readonly string CurrentUser = Environment.UserName;
    private static readonly bool IsRoot = CurrentUser == "root";

    private readonly Dictionary<string, ShellSession> _sessions = new(StringComparer.Ordinal);
    private bool _disposed;

    public string Description => "this machine";

    public bool CanBecomeRoot => IsRoot;

    public string? HostKeyFingerprint => null;

    public PrivilegeMode? Privilege => null;

    /// <summary>Runs one command in a shell of its own and ends the shell.</summary>
    public static async Task<ShellResult> RunOnceAsync(ShellCommand command, Action<string>? onOutput = null, CancellationToken cancellationToken = default)
    {
        await using var shell = new LocalShell();
        return await shell.RunAsync(command, onOutput, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ShellResult> RunAsync(ShellCommand command, Action<string>? onOutput = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        var user = command.RunAs is { } runAs && runAs != CurrentUser ? runAs : null;
        if (user is not null && !IsRoot)
        {
            throw new InvalidOperationException($"The panel runs as {CurrentUser} and cannot run commands as {command.RunAs}; run it as root or provision as {CurrentUser}.");
        }

        var script = WithStrictMode(command.Script);
        if (ShellSession.CanCarry(command) && await EnterSessionAsync(user).ConfigureAwait(false) is { } session)
        {
            return await session.RunAsync(script, command, onOutput, cancellationToken).ConfigureAwait(false);
        }

        return await RunProcessAsync(user, script, command, onOutput, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        List<ShellSession> sessions;
        lock (_sessions)
        {
            _disposed = true;
            sessions = [.. _sessions.Values];
            _sessions.Clear();
        }

        foreach (var session in sessions)
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }
    }

    internal static string WithStrictMode(string script) => "cd / 2>/dev/null || true\nset -o errexit -o nounset -o pipefail\n" + script;

    /// <summary>The user's session, entered; a new one when there is none or it is gone; null when it is busy.</summary>
    private async Task<ShellSession?> EnterSessionAsync(string? user)
    {
        var key = user ?? "";
        ShellSession? gone = null;
        ShellSession? entered = null;
        lock (_sessions)
        {
            if (_disposed)
            {
                return null;
            }

            if (_sessions.TryGetValue(key, out var existing))
            {
                if (!existing.TryEnter())
                {
                    return null;
                }

                if (existing.IsUsable)
                {
                    entered = existing;
                }
                else
                {
                    gone = existing;
                    _sessions.Remove(key);
                }
            }

            if (entered is null)
            {
                entered = ShellSession.Start(StartInfo(user));
                entered.TryEnter();
                _sessions[key] = entered;
            }
        }

        if (gone is not null)
        {
            await gone.DisposeAsync().ConfigureAwait(false);
        }

        return entered;
    }

    /// <summary>bash, or runuser … bash as another user, with the environment every command gets.</summary>
    private static ProcessStartInfo StartInfo(string? user)
    {
        var start = new ProcessStartInfo { UseShellExecute = false };
        if (user is not null)
        {
            start.FileName = "runuser";
            foreach (var arg in new[] { "-u", user, "--", "bash" })
            {
                start.ArgumentList.Add(arg);
            }
        }
        else
        {
            start.FileName = "bash";
        }

        start.Environment["LC_ALL"] = "C";
        start.Environment["PAGER"] = "cat";
        // The panel itself: a long command in a group of its own watches it and ends when the panel is gone (kill -9).
        start.Environment["PGPANEL_SESSION_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return start;
    }

    private static async Task<ShellResult> RunProcessAsync(string? user, string script, ShellCommand command, Action<string>? onOutput, CancellationToken cancellationToken)
    {
        var start = StartInfo(user);
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
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

    /// <summary>Ends a process and everything it started that is still its descendant.</summary>
    internal static void KillTree(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or AggregateException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // Already gone, or a descendant that may not be signalled (best effort: this may run in a cancel callback).
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
