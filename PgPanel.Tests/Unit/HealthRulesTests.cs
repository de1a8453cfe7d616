using PgPanel.Core;
using PgPanel.Core.Monitoring;
using PgPanel.Core.Records;
using PgPanel.Core.Security;
using PgPanel.Core.Specs;

namespace PgPanel.Tests.Unit;

public sealed class HealthRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly MonitorTarget Target = new("c", PgVersion.Of(15),
        [new MonitorNode("primary", "10.0.0.1", 5432, null), new MonitorNode("standby1", "10.0.0.2", 5432, "c_standby1")], new Secret("x"));

    private static NodeReading Primary(params SenderReading[] senders) => new() { ServerVersion = 150004, InRecovery = false, Now = Now, Senders = senders };

    private static SenderReading Sender(decimal lag = 0, string state = "streaming", double? replayLagSeconds = null) =>
        new() { Pid = 10, ApplicationName = "c_standby1", ClientAddr = "10.0.0.2", State = state, SyncState = "async", ReplayLagBytes = lag, SentLagBytes = 0, ReplayLagSeconds = replayLagSeconds };

    private static NodeReading Standby(string status = "streaming", double ageSeconds = 1, double delay = 0) => new()
    {
        ServerVersion = 150004, InRecovery = true, Now = Now, ReceiveReplayGapBytes = 0, ReplayDelaySeconds = delay,
        Receiver = new ReceiverReading { Pid = 20, Status = status, LastMessageAt = Now.AddSeconds(-ageSeconds) },
    };

    private static ClusterSample Evaluate(NodeReading? primary, NodeReading? standby) => HealthRules.Evaluate(Target,
        new Dictionary<string, NodeResult>
        {
            ["primary"] = new(primary, primary is null ? "connection refused" : null, 1),
            ["standby1"] = new(standby, standby is null ? "connection refused" : null, 1),
        }, new MonitorOptions(), Now);

    [Fact]
    public void Both_ends_streaming_and_fresh_is_healthy_and_null_lag_time_when_caught_up_reads_zero()
    {
        var sample = Evaluate(Primary(Sender()), Standby());
        Assert.Equal(ClusterHealth.Healthy, sample.Health);
        Assert.Equal(StandbyState.Streaming, sample.Standbys[0].State);
        Assert.Equal(0, sample.Primary.Senders[0].ReplayLagSeconds);
    }

    [Fact]
    public void A_vanished_sender_row_is_disconnected_even_with_a_zero_replay_gap()
    {
        var sample = Evaluate(Primary(), Standby());
        Assert.Equal(StandbyState.Disconnected, sample.Standbys[0].State);
        Assert.Equal(0, sample.Standbys[0].ReceiveReplayGapBytes);
        Assert.Equal(ClusterHealth.Degraded, sample.Health);
    }

    [Fact]
    public void A_stale_receipt_time_is_disconnected_even_with_a_zero_replay_gap() =>
        Assert.Equal(StandbyState.Disconnected, Evaluate(Primary(Sender()), Standby(ageSeconds: 60)).Standbys[0].State);

    [Fact]
    public void A_receiver_that_is_not_streaming_is_disconnected() =>
        Assert.Equal(StandbyState.Disconnected, Evaluate(Primary(Sender()), Standby(status: "waiting")).Standbys[0].State);

    [Fact]
    public void Lag_over_a_threshold_or_a_sender_in_catchup_is_catching_up()
    {
        Assert.Equal(StandbyState.CatchingUp, Evaluate(Primary(Sender(lag: 64L * 1024 * 1024)), Standby()).Standbys[0].State);
        Assert.Equal(StandbyState.CatchingUp, Evaluate(Primary(Sender(state: "catchup")), Standby()).Standbys[0].State);
        Assert.Equal(StandbyState.CatchingUp, Evaluate(Primary(Sender()), Standby(delay: 45)).Standbys[0].State);
    }

    [Fact]
    public void An_unreachable_standby_is_down_and_an_unreachable_primary_makes_the_cluster_down()
    {
        Assert.Equal(StandbyState.Down, Evaluate(Primary(Sender()), null).Standbys[0].State);
        var sample = Evaluate(null, Standby());
        Assert.Equal(ClusterHealth.Down, sample.Health);
        Assert.False(sample.Primary.Reachable);
        Assert.Contains(sample.Reasons, r => r.Contains("unreachable", StringComparison.Ordinal));
    }

    [Fact]
    public void A_promoted_standby_is_down_as_a_standby() =>
        Assert.Equal(StandbyState.Down, Evaluate(Primary(Sender()), Standby() with { InRecovery = false }).Standbys[0].State);

    [Fact]
    public void Alerts_rise_after_two_samples_over_and_clear_after_three_under()
    {
        var rules = new AlertRules();
        var options = new MonitorOptions();
        var bad = Evaluate(Primary(), Standby());
        var good = Evaluate(Primary(Sender()), Standby());
        Assert.Empty(rules.Evaluate(bad, options));
        var raised = Assert.Single(rules.Evaluate(bad, options));
        Assert.Equal(("disconnected", "raised", "standby1"), (raised.Rule, raised.Kind, raised.Node));
        Assert.Single(rules.Active("c"));
        Assert.Empty(rules.Evaluate(good, options));
        Assert.Empty(rules.Evaluate(bad, options));
        Assert.Empty(rules.Evaluate(good, options));
        Assert.Empty(rules.Evaluate(good, options));
        Assert.Equal("cleared", Assert.Single(rules.Evaluate(good, options)).Kind);
        Assert.Empty(rules.Active("c"));
    }

    [Fact]
    public void History_folds_samples_into_one_point_a_minute_with_the_worst_state_and_largest_lag()
    {
        var store = new HistoryStore(null!);
        var first = Evaluate(Primary(Sender(lag: 100)), Standby());
        Assert.Empty(store.Accumulate(first));
        Assert.Empty(store.Accumulate(Evaluate(Primary(), Standby()) with { SampledAt = Now.AddSeconds(30) }));
        var closed = Assert.Single(store.Accumulate(first with { SampledAt = Now.AddSeconds(61) }));
        Assert.Equal(Now, closed.MinuteStart);
        Assert.Equal(2, closed.Samples);
        Assert.Equal(100, closed.MaxReplayLagBytes);
        Assert.Equal(StandbyState.Disconnected, closed.WorstState);
    }
}
