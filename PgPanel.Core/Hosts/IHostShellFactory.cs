using PgPanel.Core.Specs;

namespace PgPanel.Core.Hosts;

/// <summary>Opens a shell to the host of a node.</summary>
public interface IHostShellFactory
{
    /// <param name="pinnedFingerprint">For SSH: the host key to insist on when the spec names none; null: trust on first use.</param>
    Task<IHostShell> ConnectAsync(NodeSpec node, string? pinnedFingerprint = null, CancellationToken cancellationToken = default);
}
