using PgPanel.Core.Records;

namespace PgPanel.Core.Monitoring;

/// <summary>One interval's view of a cluster: the primary's senders and each standby's receiver, with health.</summary>
public sealed record ClusterSample(
    string ClusterName, DateTimeOffset SampledAt, ClusterHealth Health, PrimarySample Primary, IReadOnlyList<StandbySample> Standbys,
    IReadOnlyList<string> Reasons)
{
    /// <summary>The largest replay lag in bytes among the standbys, when known.</summary>
    public long? MaxLagBytes => Standbys.Select(s => s.ReplayLagBytes).Max();
}

public sealed record PrimarySample(
    string Node, string Host, int Port, bool Reachable, bool? InRecovery, string? CurrentLsn, IReadOnlyList<SenderSample> Senders,
    IReadOnlyList<SlotSample> Slots, IReadOnlyList<ProcessSample> Processes, double? SampleMilliseconds, string? Error)
{
    /// <summary>Version, uptime, connections, rates, timeline; null while unreachable.</summary>
    public ServerFigures? Figures { get; init; }
}

public sealed record SenderSample(
    string? ApplicationName, string? ClientAddr, string? State, string? SyncState,
    long? SentLagBytes, long? WriteLagBytes, long? FlushLagBytes, long? ReplayLagBytes,
    double? WriteLagSeconds, double? FlushLagSeconds, double? ReplayLagSeconds, int Pid, string? SentLsn, string? ReplayLsn);

public sealed record StandbySample(
    string Node, string Host, int Port, bool Reachable, bool? InRecovery, StandbyState State, string? ReceiverStatus,
    long? ReceiveReplayGapBytes, double? ReplayDelaySeconds, DateTimeOffset? LastMessageAt, int? Pid,
    long? ReplayLagBytes, double? ReplayLagSeconds, string? SenderHost, int? SenderPort, string? ReceivedLsn,
    IReadOnlyList<ProcessSample> Processes, double? SampleMilliseconds, string? Error)
{
    /// <summary>Version, uptime, WAL received per second, timeline, recovery conflicts; null while unreachable.</summary>
    public ServerFigures? Figures { get; init; }
}

public sealed record SlotSample(string Name, bool Active, decimal? RetainedBytes);

/// <summary>A WAL sender or receiver process, as the seed's <c>ps aux | grep sender/receiver</c> shows it.</summary>
public sealed record ProcessSample(int Pid, string Kind, string? State, string? Lsn);
