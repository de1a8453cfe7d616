using PgPanel.Core.Planning;
using PgPanel.Core.Specs;

namespace PgPanel.Core.Hosts;

/// <summary>Gathers facts for every node of a spec: probes each distinct host once, or assumes them from "os".</summary>
public sealed class FactsCollector(IHostShellFactory shells)
{
    /// <param name="assumeWhenOsGiven">True (planning only): an SSH node that names its "os" is not reached; its facts are assumed.</param>
    public async Task<IReadOnlyDictionary<string, HostFacts>> CollectAsync(ClusterSpec spec, string localRoot, bool assumeWhenOsGiven = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var facts = new Dictionary<string, HostFacts>(StringComparer.Ordinal);
        var byHost = new Dictionary<string, HostFacts>(StringComparer.OrdinalIgnoreCase);
        foreach (var id in Planner.NodeIds(spec))
        {
            var node = Planner.NodeSpecOf(spec, id);
            var connection = node.Connection ?? ConnectionSpec.Local;
            var key = connection.Kind == ConnectionKind.Local ? "local" : $"ssh:{node.Host}:{connection.Port ?? 22}";
            if (!byHost.TryGetValue(key, out var hostFacts))
            {
                if (connection.Kind != ConnectionKind.Local && assumeWhenOsGiven && OsTarget.TryParse(node.Os, out var os))
                {
                    hostFacts = HostFacts.AssumedFor(os);
                }
                else
                {
                    await using var shell = await shells.ConnectAsync(node, cancellationToken).ConfigureAwait(false);
                    hostFacts = await HostProbe.ProbeAsync(shell, connection.Kind == ConnectionKind.Local ? localRoot : null, cancellationToken).ConfigureAwait(false);
                }

                byHost[key] = hostFacts;
            }

            facts[id] = hostFacts;
        }

        return facts;
    }
}
