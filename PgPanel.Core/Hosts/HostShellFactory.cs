using Microsoft.Extensions.Options;
using PgPanel.Core.Specs;

namespace PgPanel.Core.Hosts;

/// <summary>Local nodes get a <see cref="LocalShell"/>, SSH nodes an <see cref="SshShell"/> with a heartbeat.</summary>
public sealed class HostShellFactory(IOptions<JobOptions> options) : IHostShellFactory
{
    public async Task<IHostShell> ConnectAsync(NodeSpec node, string? pinnedFingerprint = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        var connection = node.Connection ?? ConnectionSpec.Local;
        if (connection.Kind == ConnectionKind.Local)
        {
            return new LocalShell();
        }

        var target = TargetOf(node, pinnedFingerprint) with { Heartbeat = TimeSpan.FromSeconds(options.Value.SshHeartbeatSeconds) };
        return await SshShell.ConnectAsync(target, cancellationToken).ConfigureAwait(false);
    }

    public static SshTarget TargetOf(NodeSpec node, string? pinnedFingerprint = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        var connection = node.Connection ?? ConnectionSpec.Local;
        return new SshTarget
        {
            Host = node.Host,
            Port = connection.Port ?? 22,
            User = connection.User ?? "root",
            PrivateKey = connection.PrivateKey,
            Passphrase = connection.Passphrase,
            Password = connection.Password,
            SudoPassword = connection.SudoPassword,
            HostKeyFingerprint = connection.HostKeyFingerprint ?? pinnedFingerprint,
        };
    }

    /// <summary>The key under which a node's host key is pinned: "host:port".</summary>
    public static string EndpointOf(NodeSpec node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return HostKey(node) is var key && key == "local" ? key : TargetOf(node).Endpoint;
    }

    /// <summary>Nodes with the same key share one connection: "local", or "ssh:user@host:port".</summary>
    public static string HostKey(NodeSpec node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var connection = node.Connection ?? ConnectionSpec.Local;
        return connection.Kind == ConnectionKind.Local ? "local" : $"ssh:{connection.User ?? "root"}@{TargetOf(node).Endpoint}";
    }
}
