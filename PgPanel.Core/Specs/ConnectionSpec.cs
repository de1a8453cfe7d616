using PgPanel.Core.Security;

namespace PgPanel.Core.Specs;

/// <summary>How to reach a node: this machine, or SSH with the fields below.</summary>
public sealed record ConnectionSpec
{
    public ConnectionKind Kind { get; init; } = ConnectionKind.Local;

    public int? Port { get; init; }

    public string? User { get; init; }

    public Secret? PrivateKey { get; init; }

    public Secret? Passphrase { get; init; }

    public Secret? Password { get; init; }

    public Secret? SudoPassword { get; init; }

    public string? HostKeyFingerprint { get; init; }

    public static ConnectionSpec Local { get; } = new();
}
