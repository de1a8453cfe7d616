using PgPanel.Core.Planning;
using PgPanel.Core.Specs;

namespace PgPanel.Core.Hosts;

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

        return facts;
    }
}
