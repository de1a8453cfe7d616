using PgPanel.Core.Records;
using PgPanel.Core.Text;

namespace PgPanel.Core.Monitoring;

/// <summary>
/// Turns the readings of one interval into a <see cref="ClusterSample"/>: each standby judged from both ends (the
/// primary's sender row and the standby's own receiver), the cluster from its primary and standbys. Pure.
/// </summary>
public static class HealthRules
{
    /// <param name="previous">The cluster's previous sample, for the rates (transactions and WAL per second).</param>
    public static ClusterSample Evaluate(MonitorTarget target, IReadOnlyDictionary<string, NodeResult> results, MonitorOptions options, DateTimeOffset sampledAt,
        ClusterSample? previous = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(options);
        var reasons = new List<string>();
        var p = target.Primary;
        var primaryResult = results[p.Id];
        var primaryReading = primaryResult.Reading;
        var senders = primaryReading?.Senders ?? [];

        var primary = new PrimarySample(
            p.Id, p.Host, p.Port, primaryResult.Reachable, primaryReading?.InRecovery, primaryReading?.CurrentLsn,
            senders.Select(s => new SenderSample(
                s.ApplicationName, s.ClientAddr, s.State, s.SyncState,
                Bytes(s.SentLagBytes), Bytes(s.WriteLagBytes), Bytes(s.FlushLagBytes), Bytes(s.ReplayLagBytes),
                Seconds(s.WriteLagSeconds, s.WriteLagBytes, primaryReading!), Seconds(s.FlushLagSeconds, s.FlushLagBytes, primaryReading!),
                Seconds(s.ReplayLagSeconds, s.ReplayLagBytes, primaryReading!), s.Pid, s.SentLsn, s.ReplayLsn)).ToList(),
            primaryReading?.Slots ?? [],
            Processes(primaryReading, senders),
            primaryResult.Milliseconds, primaryResult.Error)
        {
            Figures = primaryReading is null ? null : ServerFigures.From(primaryReading, primaryReading.CurrentLsn, sampledAt,
                previous?.Primary.Figures, previous?.Primary.CurrentLsn, previous?.SampledAt),
        };

        var primaryUp = primaryResult.Reachable && primaryReading!.InRecovery == false;
        if (!primaryResult.Reachable)
        {
            reasons.Add($"primary {p.Host}:{p.Port} is unreachable: {primaryResult.Error}");
        }
        else if (!primaryUp)
        {
            reasons.Add($"primary {p.Host}:{p.Port} is in recovery: it is not a primary");
        }

        var standbys = new List<StandbySample>();
        foreach (var node in target.Standbys)
        {
            var result = results[node.Id];
            var reading = result.Reading;
            var sender = primary.Senders.FirstOrDefault(s => s.ApplicationName == node.ApplicationName);
            var (state, why) = Judge(node, result, primaryUp, sender, options, sampledAt);
            if (why is not null)
            {
                reasons.Add($"{node.Id}: {why}");
            }

            standbys.Add(new StandbySample(
                node.Id, node.Host, node.Port, result.Reachable, reading?.InRecovery, state, reading?.Receiver?.Status,
                Bytes(reading?.ReceiveReplayGapBytes), reading?.ReplayDelaySeconds is { } delay ? Math.Round(delay, 3) : null,
                reading?.Receiver?.LastMessageAt, reading?.Receiver?.Pid,
                sender?.ReplayLagBytes, sender?.ReplayLagSeconds, reading?.Receiver?.SenderHost, reading?.Receiver?.SenderPort,
                reading?.Receiver?.ReceivedLsn, Processes(reading, []), result.Milliseconds, result.Error)
            {
                Figures = reading is null ? null : ServerFigures.From(reading, reading.Receiver?.ReceivedLsn, sampledAt,
                    previous?.Standbys.FirstOrDefault(s => s.Node == node.Id)?.Figures,
                    previous?.Standbys.FirstOrDefault(s => s.Node == node.Id)?.ReceivedLsn, previous?.SampledAt),
            });
        }

        var health = !primaryUp ? ClusterHealth.Down
            : standbys.All(s => s.State == StandbyState.Streaming) ? ClusterHealth.Healthy
            : ClusterHealth.Degraded;
        return new ClusterSample(target.ClusterName, sampledAt, health, primary, standbys, reasons);
    }

    private static (StandbyState State, string? Why) Judge(
        MonitorNode node, NodeResult result, bool primaryUp, SenderSample? sender, MonitorOptions options, DateTimeOffset sampledAt)
    {
        if (!result.Reachable)
        {
            return (StandbyState.Down, $"unreachable: {result.Error}");
        }

        var reading = result.Reading!;
        if (!reading.InRecovery)
        {
            return (StandbyState.Down, "not in recovery: it is no longer a standby");
        }

        var receiver = reading.Receiver;
        if (primaryUp && sender is null)
        {
            return (StandbyState.Disconnected, $"the primary has no WAL sender for {node.ApplicationName}");
        }

        if (receiver is not null && receiver.Status != "streaming")
        {
            return (StandbyState.Disconnected, $"WAL receiver is {receiver.Status ?? "absent"}");
        }

        if (reading.ServerVersion >= 90600 && receiver is null)
        {
            return (StandbyState.Disconnected, "no WAL receiver is running");
        }

        if (receiver?.LastMessageAt is { } last && reading.Now - last > options.Stale)
        {
            return (StandbyState.Disconnected, $"last message from the primary {(reading.Now - last).TotalSeconds:0} s ago");
        }

        if (reading.ReplayPaused == true)
        {
            var behind = reading.ReceiveReplayGapBytes is { } gap ? $"; {HumanUnits.Bytes((long)gap)} received and not replayed" : "";
            return (StandbyState.ReplayPaused, $"WAL replay is paused (pg_wal_replay_pause()){behind}");
        }

        if (sender is not null && sender.State is not null && sender.State != "streaming")
        {
            return (StandbyState.CatchingUp, $"the sender is in {sender.State}");
        }

        if (sender?.ReplayLagBytes > options.LagBytesThreshold)
        {
            return (StandbyState.CatchingUp, $"replay lag {HumanUnits.Bytes(sender.ReplayLagBytes.Value)} is over {HumanUnits.Bytes(options.LagBytesThreshold)}");
        }

        if (reading.ReplayDelaySeconds > options.LagSecondsThreshold)
        {
            return (StandbyState.CatchingUp, $"replay delay {reading.ReplayDelaySeconds:0.0} s is over {options.LagSecondsThreshold} s");
        }

        return (StandbyState.Streaming, null);
    }

    private static long? Bytes(decimal? value) => value is null ? null : (long)Math.Max(0, value.Value);

    /// <summary>10+: NULL *_lag means caught up and idle, shown as 0; on 9.x the columns do not exist (null).</summary>
    private static double? Seconds(double? seconds, decimal? bytes, NodeReading primary) =>
        seconds is { } s ? Math.Round(s, 3) : primary.ServerVersion >= 100000 && bytes is not null && bytes <= 0 ? 0 : null;

    private static IReadOnlyList<ProcessSample> Processes(NodeReading? reading, IReadOnlyList<SenderReading> senders)
    {
        if (reading is null)
        {
            return [];
        }

        var list = senders.Select(s => new ProcessSample(s.Pid, "walsender", s.State, s.SentLsn)).ToList();
        if (reading.Receiver is { } receiver)
        {
            list.Add(new ProcessSample(receiver.Pid, "walreceiver", receiver.Status, receiver.ReceivedLsn));
        }

        return list;
    }
}
