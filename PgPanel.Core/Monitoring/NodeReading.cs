namespace PgPanel.Core.Monitoring;

/// <summary>What one node answered to <see cref="ReplicationQueries"/> (one JSON document, one round trip).</summary>
public sealed record NodeReading
{
    public int ServerVersion { get; init; }

    public bool InRecovery { get; init; }

    public DateTimeOffset Now { get; init; }

    public string? CurrentLsn { get; init; }

    public IReadOnlyList<SenderReading> Senders { get; init; } = [];

    public IReadOnlyList<SlotSample> Slots { get; init; } = [];

    public ReceiverReading? Receiver { get; init; }

    public decimal? ReceiveReplayGapBytes { get; init; }

    public double? ReplayDelaySeconds { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public int? Connections { get; init; }

    public long? Transactions { get; init; }

    /// <summary>A primary's timeline (from its current WAL file's name); a standby's is its receiver's.</summary>
    public int? Timeline { get; init; }

    public long? RecoveryConflicts { get; init; }

    /// <summary>A standby's <c>pg_is_wal_replay_paused()</c> (<c>pg_is_xlog_replay_paused()</c> before 10); null on a primary.</summary>
    public bool? ReplayPaused { get; init; }
}

public sealed record SenderReading
{
    public int Pid { get; init; }

    public string? ApplicationName { get; init; }

    public string? ClientAddr { get; init; }

    public string? State { get; init; }

    public string? SyncState { get; init; }

    public string? SentLsn { get; init; }

    public string? ReplayLsn { get; init; }

    public decimal? SentLagBytes { get; init; }

    public decimal? WriteLagBytes { get; init; }

    public decimal? FlushLagBytes { get; init; }

    public decimal? ReplayLagBytes { get; init; }

    public double? WriteLagSeconds { get; init; }

    public double? FlushLagSeconds { get; init; }

    public double? ReplayLagSeconds { get; init; }
}

public sealed record ReceiverReading
{
    public int Pid { get; init; }

    public string? Status { get; init; }

    public string? ReceivedLsn { get; init; }

    public DateTimeOffset? LastMessageAt { get; init; }

    public string? SenderHost { get; init; }

    public int? SenderPort { get; init; }

    /// <summary><c>received_tli</c>: the timeline the standby receives.</summary>
    public int? Timeline { get; init; }
}
