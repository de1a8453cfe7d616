using PgPanel.Core.Hosts;
using PgPanel.Core.Planning;
using PgPanel.Core.Specs;

namespace PgPanel.Core.Runs;

/// <summary>Facts for every node of a spec: each distinct host probed once, or assumed from the node's "os".</summary>
public static class FactsCollector
{
    /// <param name="shells">Open shells by node id; a node without one must name its "os" (its facts are then assumed).</param>
    public static async Task<IReadOnlyDictionary<string, HostFacts>> CollectAsync(ClusterSpec spec, IReadOnlyDictionary<string, IHostShell> shells,
        string localRoot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(shells);
        var facts = new Dictionary<string, HostFacts>(StringComparer.Ordinal);
        var byShell = new Dictionary<IHostShell, HostFacts>(ReferenceEqualityComparer.Instance);
        foreach (var id in Planner.NodeIds(spec))
        {
            var node = Planner.NodeSpecOf(spec, id);
            if (shells.TryGetValue(id, out var shell))
            {
                if (!byShell.TryGetValue(shell, out var probed))
                {
                    var local = (node.Connection ?? ConnectionSpec.Local).Kind == ConnectionKind.Local;
                    probed = await HostProbe.ProbeAsync(shell, local ? localRoot : node.DataDirectory, cancellationToken: cancellationToken).ConfigureAwait(false);
                    byShell[shell] = probed;
                }

                facts[id] = probed;
            }
            else if (OsTarget.TryParse(node.Os, out var os))
            {
                facts[id] = HostFacts.AssumedFor(os);
            }
            else
            {
                throw new HostProbeException($"Node {id} was not reached and names no \"os\"; give its OS to plan without connecting.");
            }
        }

        await MeasurePrimaryAsync(spec, shells, facts, localRoot, cancellationToken).ConfigureAwait(false);
        return facts;
    }

    /// <summary>
    /// How big the primary's data directory is now (0 when it does not exist yet): a standby needs that much disk, and
    /// room for the WAL streamed while it clones. One du on the primary's host, as root when possible.
    /// </summary>
    private static async Task MeasurePrimaryAsync(ClusterSpec spec, IReadOnlyDictionary<string, IHostShell> shells, Dictionary<string, HostFacts> facts,
        string localRoot, CancellationToken cancellationToken)
    {
        if (!shells.TryGetValue(Planner.PrimaryId, out var shell))
        {
            return;
        }

        var node = spec.Primary;
        var primaryFacts = facts[Planner.PrimaryId];
        var local = (node.Connection ?? ConnectionSpec.Local).Kind == ConnectionKind.Local;
        var layout = PostgresLayout.For(local, primaryFacts, spec.PostgresVersion, node.Port, node.DataDirectory, spec.Name, Planner.PrimaryId, localRoot);
        var result = await shell.RunAsync(new ShellCommand(
            $"if [ -d {Security.ShellQuote.Quote(layout.DataDirectory)} ]; then du -sk {Security.ShellQuote.Quote(layout.DataDirectory)} 2>/dev/null | cut -f1; else echo 0; fi",
            primaryFacts.CanBecomeRoot && shell.CanBecomeRoot ? "root" : null), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded || !long.TryParse(result.LastLine, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var kb))
        {
            return;
        }

        var measured = primaryFacts with
        {
            DataDirectoryBytes = new Dictionary<string, long>(primaryFacts.DataDirectoryBytes) { [layout.DataDirectory] = kb * 1024 },
        };
        foreach (var id in facts.Keys.ToList().Where(id => ReferenceEquals(facts[id], primaryFacts)))
        {
            facts[id] = measured;
        }
    }
}
