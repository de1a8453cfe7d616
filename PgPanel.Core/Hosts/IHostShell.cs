namespace PgPanel.Core.Hosts;

/// <summary>Runs commands on one host. The only way PgPanel touches a host: local processes or SSH.</summary>
public interface IHostShell : IAsyncDisposable
{
    /// <summary>A name for messages: "this machine", "root@10.0.0.5:22".</summary>
    string Description { get; }

    /// <summary>True when commands may run as root (and so as any user).</summary>
    bool CanBecomeRoot { get; }

    /// <summary>The SSH host key's SHA256 fingerprint the connection checked; null on this machine.</summary>
    string? HostKeyFingerprint { get; }

    /// <summary>How an SSH login becomes root or another user; null on this machine (the panel's own user).</summary>
    PrivilegeMode? Privilege { get; }

    /// <summary>
    /// Runs a script, streaming each output line (split on \n and \r) to <paramref name="onOutput"/> as it comes.
    /// Cancellation ends the process and its children.
    /// </summary>
    Task<ShellResult> RunAsync(ShellCommand command, Action<string>? onOutput = null, CancellationToken cancellationToken = default);
}
