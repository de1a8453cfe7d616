namespace PgPanel.Core.Records;

/// <summary>An alert raised or cleared; kept in the history and sent to the webhook.</summary>
public sealed class AlertEvent
{
    public long Id { get; set; }

    public required string ClusterName { get; set; }

    public required string Node { get; set; }

    /// <summary>"lag-bytes", "lag-seconds", "replay-paused", "disconnected", "down".</summary>
    public required string Rule { get; set; }

    /// <summary>"raised" or "cleared".</summary>
    public required string Kind { get; set; }

    public DateTimeOffset At { get; set; }

    public double? Value { get; set; }

    public required string Message { get; set; }
}
