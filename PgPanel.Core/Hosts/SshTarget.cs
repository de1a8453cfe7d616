using PgPanel.Core.Security;

namespace PgPanel.Core.Hosts;

/// <summary>Where and how to log in over SSH, and which host key to expect.</summary>
public sealed record SshTarget
{
    public required string Host { get; init; }

    public int Port { get; init; } = 22;

    public string User { get; init; } = "root";

    /// <summary>OpenSSH or PEM private key text (ed25519, RSA, ECDSA).</summary>
    public Secret? PrivateKey { get; init; }

    public Secret? Passphrase { get; init; }

    public Secret? Password { get; init; }

    /// <summary>The sudo password of a non-root user; null: the login password is tried, then sudo -n.</summary>
    public Secret? SudoPassword { get; init; }

    /// <summary>"SHA256:…" as ssh-keygen -l prints it; null: trust on first use (the caller pins what it sees).</summary>
    public string? HostKeyFingerprint { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How often the connection proves it is alive: a heartbeat command must answer within this time, or the connection
    /// is broken and every command on it fails at once. Null: no heartbeat (short-lived connections, such as a probe).
    /// </summary>
    public TimeSpan? Heartbeat { get; init; }

    public string Endpoint => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
