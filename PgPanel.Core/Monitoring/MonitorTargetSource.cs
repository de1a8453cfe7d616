using Microsoft.Extensions.Logging;
using PgPanel.Core.Clusters;
using PgPanel.Core.Planning;
using PgPanel.Core.Records;
using PgPanel.Core.Security;
using PgPanel.Core.Specs;

namespace PgPanel.Core.Monitoring;

/// <summary>
/// The clusters to watch: every cluster PgPanel built ("ready"), with its nodes and monitoring login. One read of the
/// cluster list (the sealed secrets come with each record), and only the monitoring password is unsealed — not one
/// more query and every secret per cluster, which at 250 clusters cost seconds per refresh. A cluster whose stored spec
/// or secret cannot be read is logged and left out; it does not stop the monitoring of the others.
/// </summary>
public sealed class MonitorTargetSource(ClusterStore clusters, SecretProtector protector, ILogger<MonitorTargetSource> logger)
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

            try
            {
                var sealedSecrets = PanelJson.Deserialize<Dictionary<string, string>>(record.SealedSecretsJson);
                if (!sealedSecrets.TryGetValue(PlanDefaults.MonitorPasswordSecret, out var sealedPassword))
                {
                    continue;
                }

                var spec = PanelJson.Deserialize<ClusterSpec>(record.SpecJson);
                targets.Add(For(spec, protector.Unseal(sealedPassword)));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning("Cluster {Cluster} is not monitored: its stored spec or monitoring secret cannot be read ({Error}).",
                    record.Name, ex.GetType().Name + ": " + ex.Message);
            }
        }

        return targets;
    }

    public static MonitorTarget For(ClusterSpec spec, Secret password)
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
