using System.Text;
using Renci.SshNet;
using Renci.SshNet.Common;
using PgPanel.Core.Security;
using static PgPanel.Core.Security.ShellQuote;

namespace PgPanel.Core.Hosts;

/// <summary>
/// Runs scripts on a host over SSH (SSH.NET). The command line the host's <c>ps</c> shows is only
/// <c>bash -s</c> (behind sudo or runuser); the script, its secrets (as exported variables) and its input travel on
/// standard input. Host keys are pinned by their SHA256 fingerprint: a mismatch refuses before authentication.
/// </summary>
public sealed class SshShell : IHostShell
{
    private const string GroupMarker = "PGPANEL_PGID=";
    private readonly SshClient _client;
    private readonly SshTarget _target;
    private readonly Secret? _sudoPassword;
    private readonly CancellationTokenSource _broken = new();
    private string? _brokenReason;
    private Task? _heartbeat;

    private SshShell(SshClient client, SshTarget target, string fingerprint, PrivilegeMode mode, Secret? sudoPassword)
    {
        _client = client;
        _target = target;
        HostKeyFingerprint = fingerprint;
        Mode = mode;
        _sudoPassword = sudoPassword;
    }

    public string Description => $"{_target.User}@{_target.Endpoint}";

    /// <summary>The host key the server presented, "SHA256:…".</summary>
    public string HostKeyFingerprint { get; }

    public PrivilegeMode Mode { get; }

    public bool CanBecomeRoot => Mode != PrivilegeMode.None;

    string? IHostShell.HostKeyFingerprint => HostKeyFingerprint;

    PrivilegeMode? IHostShell.Privilege => Mode;

    /// <summary>Connects, checks the host key, authenticates and finds out how to become root.</summary>
    public static async Task<SshShell> ConnectAsync(SshTarget target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        var methods = new List<AuthenticationMethod>();
        if (target.PrivateKey is not null)
        {
            try
            {
                using var keyStream = new MemoryStream(Encoding.UTF8.GetBytes(target.PrivateKey.Reveal().Replace("\r\n", "\n", StringComparison.Ordinal).Trim() + "\n"));
                methods.Add(new PrivateKeyAuthenticationMethod(target.User, new PrivateKeyFile(keyStream, target.Passphrase?.Reveal())));
            }
            catch (Exception ex) when (ex is SshException or ArgumentException or InvalidOperationException or FormatException)
            {
                throw new SshConnectException($"The private key for {target.User}@{target.Endpoint} cannot be read: " +
                    (target.Passphrase is null && ex.Message.Contains("passphrase", StringComparison.OrdinalIgnoreCase)
                        ? "it is encrypted; give its passphrase."
                        : "it is not an OpenSSH or PEM private key, or the passphrase is wrong."));
            }
        }

        if (target.Password is not null)
        {
            methods.Add(new PasswordAuthenticationMethod(target.User, target.Password.Reveal()));
        }

        if (methods.Count == 0)
        {
            throw new SshConnectException($"No private key or password for {target.User}@{target.Endpoint}.");
        }

        var info = new ConnectionInfo(target.Host, target.Port, target.User, [.. methods]) { Timeout = target.ConnectTimeout };
        var client = new SshClient(info) { KeepAliveInterval = target.KeepAliveInterval };
        string? presented = null;
        client.HostKeyReceived += (_, e) =>
        {
            presented = "SHA256:" + e.FingerPrintSHA256;
            e.CanTrust = target.HostKeyFingerprint is null || string.Equals(target.HostKeyFingerprint.TrimEnd('='), presented, StringComparison.Ordinal);
        };

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(target.ConnectTimeout + TimeSpan.FromSeconds(5));
            await client.ConnectAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SshException or System.Net.Sockets.SocketException or OperationCanceledException or TimeoutException or ProxyException)
        {
            client.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            throw Describe(ex, target, presented);
        }

        var mode = PrivilegeMode.None;
        Secret? sudoPassword = null;
        var shell = new SshShell(client, target, presented ?? "", mode, null);
        var whoami = await shell.RunAsync(new ShellCommand("id -u; if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then echo sudo-n; fi"), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (whoami.Output.StartsWith("0\n", StringComparison.Ordinal))
        {
            mode = PrivilegeMode.Root;
        }
        else if (whoami.Output.Contains("sudo-n", StringComparison.Ordinal))
        {
            mode = PrivilegeMode.SudoWithoutPassword;
        }
        else if ((target.SudoPassword ?? target.Password) is { } candidate)
        {
            var probe = new SshShell(client, target, presented ?? "", PrivilegeMode.SudoWithPassword, candidate);
            var sudo = await probe.RunAsync(new ShellCommand("id -u", "root"), cancellationToken: cancellationToken).ConfigureAwait(false);
            if (sudo.Succeeded && sudo.LastLine == "0")
            {
                mode = PrivilegeMode.SudoWithPassword;
                sudoPassword = candidate;
            }
            else if (target.SudoPassword is not null)
            {
                client.Dispose();
                throw new SshConnectException($"{target.User}@{target.Endpoint}: sudo refused the sudo password.", presented);
            }
        }

        var connected = new SshShell(client, target, presented ?? "", mode, sudoPassword);
        if (target.Heartbeat is { } interval)
        {
            connected._heartbeat = connected.HeartbeatAsync(interval);
        }

        return connected;
    }

    /// <summary>
    /// Every interval a tiny command must come back within the interval. A link that died or a host that froze answers
    /// nothing (TCP alone would wait 15 minutes): the connection is then broken, and the commands on it fail at once
    /// with the reason.
    /// </summary>
    private async Task HeartbeatAsync(TimeSpan interval)
    {
        try
        {
            while (!_broken.IsCancellationRequested)
            {
                await Task.Delay(interval, _broken.Token).ConfigureAwait(false);
                using var answer = new CancellationTokenSource(interval);
                try
                {
                    using var beat = _client.CreateCommand("true");
                    await beat.ExecuteAsync(answer.Token).WaitAsync(interval + TimeSpan.FromSeconds(1), _broken.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !_broken.IsCancellationRequested)
                {
                    Break($"{Description} gave no sign of life for {interval.TotalSeconds:0} s ({ex.GetType().Name}): the link or the host is down, or the host is frozen.");
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    private void Break(string reason)
    {
        _brokenReason ??= reason;
        try
        {
            _broken.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already disposed.
        }
    }

    public async Task<ShellResult> RunAsync(ShellCommand command, Action<string>? onOutput = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        var (commandLine, needsPassword) = CommandLine(command.RunAs);
        var payload = Payload(command, needsPassword ? _sudoPassword : null);

        using var ssh = _client.CreateCommand(commandLine);
        var output = new StringBuilder();
        var gate = new Lock();
        string? group = null;
        void OnLine(string line)
        {
            if (group is null && line.StartsWith(GroupMarker, StringComparison.Ordinal))
            {
                group = line[GroupMarker.Length..].Trim();
                return;
            }

            lock (gate)
            {
                output.Append(line).Append('\n');
                onOutput?.Invoke(line);
            }
        }

        if (_brokenReason is { } gone)
        {
            throw new IOException(gone);
        }

        Task execute;
        try
        {
            execute = ssh.ExecuteAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is SshException or ObjectDisposedException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            // SshOperationTimeoutException (a channel the server never opened: a frozen host) is an SshException too.
            throw new IOException($"The SSH connection to {Description} is gone: {ex.Message}", ex);
        }

        var stdout = PumpAsync(ssh.OutputStream, OnLine);
        var stderr = PumpAsync(ssh.ExtendedOutputStream, OnLine);
        using var running = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _broken.Token);
        try
        {
            using (var input = ssh.CreateInputStream())
            {
                await input.WriteAsync(Encoding.UTF8.GetBytes(payload), running.Token).ConfigureAwait(false);
            }

            await execute.WaitAsync(running.Token).ConfigureAwait(false);
            await Task.WhenAll(stdout, stderr).WaitAsync(TimeSpan.FromSeconds(10), running.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await KillGroupAsync(group).ConfigureAwait(false);
            throw;
        }
        catch (OperationCanceledException) when (_broken.IsCancellationRequested)
        {
            throw new IOException(_brokenReason ?? $"The SSH connection to {Description} broke.");
        }
        catch (TimeoutException ex)
        {
            throw new IOException($"The SSH connection to {Description} broke while a command ran: its output did not end.", ex);
        }
        catch (Exception ex) when (ex is SshException or ObjectDisposedException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            throw new IOException($"The SSH connection to {Description} broke while a command ran: {ex.Message}", ex);
        }

        if (!_client.IsConnected && ssh.ExitStatus is null)
        {
            throw new IOException($"The SSH connection to {Description} was lost while a command ran.");
        }

        return new ShellResult(ssh.ExitStatus ?? 255, output.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        Break($"The SSH connection to {Description} was closed.");
        if (_heartbeat is not null)
        {
            await _heartbeat.ConfigureAwait(false);
        }

        _client.Dispose();
        _broken.Dispose();
    }

    private (string CommandLine, bool NeedsPassword) CommandLine(string? runAs)
    {
        const string shell = "bash -s";
        if (runAs is null || runAs == _target.User)
        {
            return (shell, false);
        }

        return Mode switch
        {
            PrivilegeMode.Root => (runAs == "root" ? shell : $"runuser -u {Quote(runAs)} -- {shell}", false),
            PrivilegeMode.SudoWithoutPassword => ($"sudo -n -H -u {Quote(runAs)} -- {shell}", false),
            PrivilegeMode.SudoWithPassword => ($"sudo -S -k -p '' -H -u {Quote(runAs)} -- {shell}", true),
            _ => throw new InvalidOperationException(
                $"{Description} cannot run commands as {runAs}: the login is not root and has no sudo. Log in as root, or give a sudo password."),
        };
    }

    /// <summary>What goes to standard input: the sudo password line, the secrets as exports, the script as a function.</summary>
    private static string Payload(ShellCommand command, Secret? sudoPassword)
    {
        var text = new StringBuilder();
        if (sudoPassword is not null)
        {
            text.Append(sudoPassword.Reveal()).Append('\n');
        }

        text.Append("cd / 2>/dev/null || true\n");
        text.Append("echo \"" + GroupMarker + "$(awk '{print $5}' /proc/$$/stat)\"\n");
        // The sshd process of this session: a long command started in a group of its own watches it, so that it ends
        // (and gives back what it holds, such as a replication slot) when the panel's connection is gone.
        text.Append("PGPANEL_SESSION_PID=$$; while [ \"$PGPANEL_SESSION_PID\" -gt 1 ]; do case \"$(cat /proc/$PGPANEL_SESSION_PID/comm 2>/dev/null)\" in sshd|sshd-session) break ;; esac; " +
                    "PGPANEL_SESSION_PID=$(awk '{print $4}' /proc/$PGPANEL_SESSION_PID/stat 2>/dev/null || echo 1); done; export PGPANEL_SESSION_PID\n");
        foreach (var (name, value) in command.Environment ?? new Dictionary<string, string>())
        {
            text.Append("export ").Append(name).Append('=').Append(Quote(value)).Append('\n');
        }

        text.Append("export LC_ALL=C PAGER=cat\n");
        text.Append("pgpanel_main() {\nset -o errexit -o nounset -o pipefail\n").Append(command.Script.TrimEnd('\n')).Append("\n}\n");
        if (command.StandardInput is null)
        {
            text.Append("pgpanel_main </dev/null\n");
        }
        else
        {
            text.Append("base64 -d <<'PGPANEL_STDIN' | pgpanel_main\n");
            text.Append(Convert.ToBase64String(Encoding.UTF8.GetBytes(command.StandardInput), Base64FormattingOptions.InsertLineBreaks).Replace("\r\n", "\n", StringComparison.Ordinal));
            text.Append("\nPGPANEL_STDIN\n");
        }

        text.Append("exit $?\n");
        return text.ToString();
    }

    private async Task KillGroupAsync(string? group)
    {
        if (group is null || !group.All(char.IsAsciiDigit) || !_client.IsConnected)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await RunAsync(new ShellCommand($"kill -TERM -- -{group} 2>/dev/null || true", CanBecomeRoot ? "root" : null), cancellationToken: timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
        {
            // Best effort: the connection is closing anyway.
        }
    }

    private static async Task PumpAsync(Stream stream, Action<string> onLine)
    {
        var splitter = new OutputLineSplitter(onLine);
        var decoder = Encoding.UTF8.GetDecoder();
        var bytes = new byte[8192];
        var chars = new char[8192 + 16];
        int read;
        while ((read = await stream.ReadAsync(bytes).ConfigureAwait(false)) > 0)
        {
            var count = decoder.GetChars(bytes, 0, read, chars, 0);
            splitter.Write(chars.AsSpan(0, count));
        }

        splitter.Flush();
    }

    private static SshConnectException Describe(Exception ex, SshTarget target, string? presented)
    {
        var endpoint = $"{target.User}@{target.Endpoint}";
        if (presented is not null && target.HostKeyFingerprint is not null &&
            !string.Equals(target.HostKeyFingerprint.TrimEnd('='), presented, StringComparison.Ordinal))
        {
            return new SshConnectException(
                $"Refusing {target.Endpoint}: its host key is {presented}, but {target.HostKeyFingerprint} is pinned for it. " +
                "If the server was rebuilt on purpose, confirm the new fingerprint and pin it; otherwise someone may be in the middle.", presented, ex);
        }

        return ex switch
        {
            SshAuthenticationException => new SshConnectException($"{endpoint} refused the credentials (wrong password or key not authorised).", presented, ex),
            System.Net.Sockets.SocketException socket => new SshConnectException($"Cannot reach {target.Endpoint}: {socket.Message}.", presented, ex),
            OperationCanceledException or TimeoutException or SshOperationTimeoutException => new SshConnectException($"Cannot reach {target.Endpoint}: no answer within {target.ConnectTimeout.TotalSeconds:0} s.", presented, ex),
            _ => new SshConnectException($"SSH to {endpoint} failed: {ex.Message}", presented, ex),
        };
    }
}
