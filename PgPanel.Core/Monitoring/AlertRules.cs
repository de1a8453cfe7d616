using PgPanel.Core.Records;
using PgPanel.Core.Text;

namespace PgPanel.Core.Monitoring;

/// <summary>
/// Threshold rules with hysteresis: an alert is raised after <see cref="MonitorOptions.AlertRaiseAfter"/> consecutive
/// samples over its threshold and cleared after <see cref="MonitorOptions.AlertClearAfter"/> consecutive samples under
/// it (lag rules clear under 80 % of the threshold). Keeps the active alerts, whose value and text follow the latest
/// sample while they stay raised (the raised event in the history keeps the figures of the moment it was raised).
/// </summary>
public sealed class AlertRules
{
    private readonly Dictionary<(string Cluster, string Node, string Rule), RuleState> _states = [];
    private readonly Lock _gate = new();

    /// <summary>The alerts that are raised now.</summary>
    public IReadOnlyList<AlertEvent> Active(string? clusterName = null)
    {
        lock (_gate)
        {
            return _states.Where(s => s.Value.Raised is not null && (clusterName is null || s.Key.Cluster == clusterName))
                .Select(s => s.Value.Current!).ToList();
        }
    }

    /// <summary>Evaluates one sample; returns the alerts raised or cleared by it.</summary>
    public IReadOnlyList<AlertEvent> Evaluate(ClusterSample sample, MonitorOptions options)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(options);
        var events = new List<AlertEvent>();
        lock (_gate)
        {
            Apply(sample, "primary", "down", sample.Health == ClusterHealth.Down, sample.Health == ClusterHealth.Down, null,
                () => sample.Reasons.FirstOrDefault(r => r.StartsWith("primary", StringComparison.Ordinal)) ?? "primary is down", options, events);
            foreach (var standby in sample.Standbys)
            {
                var lagBytes = standby.ReplayLagBytes ?? standby.ReceiveReplayGapBytes;
                Apply(sample, standby.Node, "down", standby.State == StandbyState.Down, standby.State == StandbyState.Down, null,
                    () => $"{standby.Node} ({standby.Host}:{standby.Port}) is down", options, events);
                Apply(sample, standby.Node, "disconnected", standby.State == StandbyState.Disconnected, standby.State == StandbyState.Disconnected, null,
                    () => $"{standby.Node} ({standby.Host}:{standby.Port}) is not receiving WAL", options, events);
                Apply(sample, standby.Node, "replay-paused", standby.State == StandbyState.ReplayPaused, standby.State == StandbyState.ReplayPaused,
                    standby.ReceiveReplayGapBytes,
                    () => $"{standby.Node} ({standby.Host}:{standby.Port}) has WAL replay paused; {HumanUnits.Bytes(standby.ReceiveReplayGapBytes ?? 0)} received and not replayed",
                    options, events);
                Apply(sample, standby.Node, "lag-bytes", lagBytes > options.LagBytesThreshold, lagBytes > options.LagBytesThreshold * 0.8, lagBytes,
                    () => $"{standby.Node} replay lag is {(lagBytes is { } b ? HumanUnits.Bytes(b) : "unknown")} (threshold {HumanUnits.Bytes(options.LagBytesThreshold)})", options, events);
                Apply(sample, standby.Node, "lag-seconds", standby.ReplayDelaySeconds > options.LagSecondsThreshold,
                    standby.ReplayDelaySeconds > options.LagSecondsThreshold * 0.8, standby.ReplayDelaySeconds,
                    () => $"{standby.Node} replay delay is {(standby.ReplayDelaySeconds is { } d ? HumanUnits.Seconds(d) : "unknown")} (threshold {HumanUnits.Seconds(options.LagSecondsThreshold)})", options, events);
            }
        }

        return events;
    }

    /// <summary>Drops the state of a cluster that is no longer watched.</summary>
    public void Forget(string clusterName)
    {
        lock (_gate)
        {
            foreach (var key in _states.Keys.Where(k => k.Cluster == clusterName).ToList())
            {
                _states.Remove(key);
            }
        }
    }

    private void Apply(ClusterSample sample, string node, string rule, bool over, bool stillOver, double? value, Func<string> message,
        MonitorOptions options, List<AlertEvent> events)
    {
        var key = (sample.ClusterName, node, rule);
        if (!_states.TryGetValue(key, out var state))
        {
            _states[key] = state = new RuleState();
        }

        if (state.Raised is null)
        {
            state.Over = over ? state.Over + 1 : 0;
            if (state.Over >= options.AlertRaiseAfter)
            {
                state.Raised = Event(sample, node, rule, "raised", value, message());
                state.Current = Event(sample, node, rule, "raised", value, state.Raised.Message);
                state.Under = 0;
                events.Add(state.Raised);
            }
        }
        else
        {
            state.Under = stillOver ? 0 : state.Under + 1;
            if (state.Under >= options.AlertClearAfter)
            {
                events.Add(Event(sample, node, rule, "cleared", value, $"cleared: {state.Current!.Message}"));
                state.Raised = null;
                state.Current = null;
                state.Over = 0;
            }
            else if (over)
            {
                // Still raised: the active alert tells the figures of now, not of the moment it was raised.
                state.Current = Event(sample, node, rule, "raised", value, message());
                state.Current.At = state.Raised.At;
            }
        }
    }

    private static AlertEvent Event(ClusterSample sample, string node, string rule, string kind, double? value, string message) => new()
    {
        ClusterName = sample.ClusterName,
        Node = node,
        Rule = rule,
        Kind = kind,
        At = sample.SampledAt,
        Value = value,
        Message = message,
    };

    private sealed class RuleState
    {
        public int Over { get; set; }

        public int Under { get; set; }

        public AlertEvent? Raised { get; set; }

        /// <summary>The raised alert as of the latest sample over its threshold (raised at <see cref="Raised"/>'s time).</summary>
        public AlertEvent? Current { get; set; }
    }
}
