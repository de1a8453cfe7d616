using PgPanel.Core.Specs;

namespace PgPanel.Core.Hosts;

/// <summary>Local nodes get a <see cref="LocalShell"/>; SSH nodes arrive with the SSH target.</summary>
public sealed class HostShellFactory : IHostShellFactory
{
    public Task<IHostShell> ConnectAsync(NodeSpec node, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        return (node.Connection ?? ConnectionSpec.Local).Kind switch
        {
            ConnectionKind.Local => Task.FromResult<IHostShell>(new LocalShell()),
            _ => throw new NotSupportedException($"Connection kind {node.Connection!.Kind} is not available yet; use the local target."),
        };
    }
}
