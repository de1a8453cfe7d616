using PgPanel.Core.Specs;

namespace PgPanel.Core.Hosts;

/// <summary>Connects to one node's host and reports its facts and host key, changing nothing.</summary>
public sealed class HostService(IHostShellFactory shells)
{
    public async Task<HostProbeResult> ProbeAsync(NodeSpec node, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        await using var shell = await shells.ConnectAsync(node, null, cancellationToken).ConfigureAwait(false);
        var facts = await HostProbe.ProbeAsync(shell, node.DataDirectory, [node.Port], cancellationToken).ConfigureAwait(false);
        return new HostProbeResult(
            facts.Os.ToString(), facts.PrettyName, facts.PostgresBinDirectories.Keys.Order().Select(v => v.ToString()).ToList(),
            facts.HasSystemd, shell.HostKeyFingerprint, facts.FreeBytes, facts.CanBecomeRoot, facts.User,
            shell.Privilege?.ToString(), facts.TakenPorts.Contains(node.Port), facts.ExistingClusters, facts.Selinux, facts.FirewalldRunning);
    }

    /// <summary>What the wizard's defaults for "this machine" come from; null when this OS is not one PgPanel plans for.</summary>
    public async Task<ThisMachinePostgres?> ThisMachineAsync(CancellationToken cancellationToken = default)
    {
        await using var shell = await shells.ConnectAsync(new NodeSpec(), null, cancellationToken).ConfigureAwait(false);
        try
        {
            var facts = await HostProbe.ProbeAsync(shell, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new ThisMachinePostgres(facts.PostgresBinDirectories.Keys.Order().ToList(), facts.Os.DistributionPostgres);
        }
        catch (HostProbeException)
        {
            return null;
        }
    }
}
