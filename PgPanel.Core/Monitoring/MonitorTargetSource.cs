using PgPanel.Core.Clusters;
using PgPanel.Core.Planning;
using PgPanel.Core.Records;
using PgPanel.Core.Specs;

namespace PgPanel.Core.Monitoring;

/// <summary>The clusters to watch: every cluster PgPanel built ("ready"), with its nodes and monitoring login.</summary>
public sealed class MonitorTargetSource(ClusterStore clusters)
{
    public async Task<IReadOnlyList<MonitorTarget>> LoadAsync(CancellationToken cancellationToken = default)
    {
        var targets = new List<MonitorTarget>();
        foreach (var record in await clusters.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (record.State != ClusterState.Ready)
            {
                continue;
            }

            var secrets = await clusters.GetSecretsAsync(record.Name, cancellationToken).ConfigureAwait(false);
            if (!secrets.TryGetValue(PlanDefaults.MonitorPasswordSecret, out var password))
            {
                continue;
            }

            var spec = PanelJson.Deserialize<ClusterSpec>(record.SpecJson);
            targets.Add(For(spec, password));
        }

        return targets;
    }

    public static MonitorTarget For(ClusterSpec spec, Security.Secret password)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var nodes = Planner.NodeIds(spec).Select(id =>
        {
            var node = Planner.NodeSpecOf(spec, id);
            return new MonitorNode(id, node.Host, node.Port, id == Planner.PrimaryId ? null : ConfigRenderer.StandbyName(spec, id));
        }).ToList();
        return new MonitorTarget(spec.Name, spec.PostgresVersion, nodes, password);
    }
}
