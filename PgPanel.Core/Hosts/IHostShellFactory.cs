using PgPanel.Core.Specs;

namespace PgPanel.Core.Hosts;

/// <summary>Opens a shell to the host of a node.</summary>
public interface IHostShellFactory
{
    Task<IHostShell> ConnectAsync(NodeSpec node, CancellationToken cancellationToken = default);
}
