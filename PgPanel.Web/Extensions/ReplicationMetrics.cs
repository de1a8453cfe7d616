using PgPanel.Core.Monitoring;
using PgPanel.Core.Records;
using Prometheus;

namespace PgPanel.Web.Extensions;

/// <summary>Prometheus gauges fed by the monitor: lag bytes/seconds and state per standby, health per cluster.</summary>
public sealed class ReplicationMetrics : IHostedService
{
    private static readonly string[] StandbyLabels = ["cluster", "node"];
    private readonly MonitorEvents _events;
    private readonly Gauge _lagBytes;
    private readonly Gauge _delaySeconds;
    private readonly Gauge _gapBytes;
    private readonly Gauge _standbyState;
    private readonly Gauge _clusterHealth;
    private readonly Gauge _sampleSeconds;
    private IDisposable? _subscription;

    public ReplicationMetrics(MonitorEvents events)
    {
        _events = events;
        var factory = Metrics.WithCustomRegistry(Metrics.DefaultRegistry);
        _lagBytes = factory.CreateGauge("pgpanel_replication_lag_bytes", "Replay lag of a standby in bytes, as the primary sees it.", StandbyLabels);
        _delaySeconds = factory.CreateGauge("pgpanel_replication_replay_delay_seconds", "Replay delay of a standby in seconds (0 when it has replayed all it received).", StandbyLabels);
        _gapBytes = factory.CreateGauge("pgpanel_replication_receive_replay_gap_bytes", "WAL a standby received but has not replayed yet.", StandbyLabels);
        _standbyState = factory.CreateGauge("pgpanel_standby_state", "1 for the state a standby is in (streaming, catching-up, replay-paused, disconnected, down).", ["cluster", "node", "state"]);
        _clusterHealth = factory.CreateGauge("pgpanel_cluster_health", "1 for the health a cluster is in (healthy, degraded, down).", ["cluster", "health"]);
        _sampleSeconds = factory.CreateGauge("pgpanel_monitor_sample_seconds", "How long the last sample of a node took.", StandbyLabels);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = _events.Subscribe(onSample: Update);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }

    private void Update(ClusterSample sample)
    {
        foreach (var health in Enum.GetValues<ClusterHealth>())
        {
            _clusterHealth.WithLabels(sample.ClusterName, Kebab(health.ToString())).Set(sample.Health == health ? 1 : 0);
        }

        if (sample.Primary.SampleMilliseconds is { } primaryMs)
        {
            _sampleSeconds.WithLabels(sample.ClusterName, sample.Primary.Node).Set(primaryMs / 1000);
        }

        foreach (var standby in sample.Standbys)
        {
            Set(_lagBytes, sample.ClusterName, standby.Node, standby.ReplayLagBytes);
            Set(_delaySeconds, sample.ClusterName, standby.Node, standby.ReplayDelaySeconds);
            Set(_gapBytes, sample.ClusterName, standby.Node, standby.ReceiveReplayGapBytes);
            if (standby.SampleMilliseconds is { } ms)
            {
                _sampleSeconds.WithLabels(sample.ClusterName, standby.Node).Set(ms / 1000);
            }

            foreach (var state in Enum.GetValues<StandbyState>())
            {
                _standbyState.WithLabels(sample.ClusterName, standby.Node, Kebab(state.ToString())).Set(standby.State == state ? 1 : 0);
            }
        }
    }

    private static void Set(Gauge gauge, string cluster, string node, double? value)
    {
        if (value is { } v)
        {
            gauge.WithLabels(cluster, node).Set(v);
        }
        else
        {
            gauge.WithLabels(cluster, node).Set(double.NaN);
        }
    }

    private static string Kebab(string name) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(name);
}
