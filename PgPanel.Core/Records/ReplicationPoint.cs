namespace PgPanel.Core.Records;

/// <summary>One standby over one minute, kept in SQLite for charts over hours and days.</summary>
public sealed class ReplicationPoint
{
    public long Id { get; set; }

    public required string ClusterName { get; set; }

    public required string Node { get; set; }

    public DateTimeOffset MinuteStart { get; set; }

    public long? MaxReplayLagBytes { get; set; }

    public double? MaxReplayDelaySeconds { get; set; }

    /// <summary>The worst state seen in the minute.</summary>
    public StandbyState WorstState { get; set; }

    public int Samples { get; set; }
}
