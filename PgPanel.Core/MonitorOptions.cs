namespace PgPanel.Core;

/// <summary>"PgPanel:Monitoring": how often to sample, when a standby is lagging or stale, how long to keep history.</summary>
public sealed class MonitorOptions
{
    public const string Section = "PgPanel:Monitoring";

    /// <summary>False: the panel provisions but does not poll (another panel, or a benchmark, watches).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Seconds between samples of every node (1 or more).</summary>
    public double IntervalSeconds { get; set; } = 2;

    /// <summary>A standby whose replay lag exceeds this many bytes is catching up.</summary>
    public long LagBytesThreshold { get; set; } = 16L * 1024 * 1024;

    /// <summary>A standby whose replay delay exceeds this many seconds is catching up.</summary>
    public double LagSecondsThreshold { get; set; } = 30;

    /// <summary>
    /// A WAL receiver whose last message is older than this is disconnected (default: 3 intervals, at least 35 s). An idle
    /// primary sends its standby nothing until the standby pings it after half of wal_receiver_timeout (30 s by default),
    /// so a healthy idle stream is silent for up to 30 s; a shorter limit flags every idle standby.
    /// </summary>
    public double? StaleSeconds { get; set; }

    /// <summary>Connect and query timeout per node, in seconds.</summary>
    public int TimeoutSeconds { get; set; } = 3;

    /// <summary>Minutes of full-resolution samples kept in memory for the live charts.</summary>
    public int RecentMinutes { get; set; } = 15;

    /// <summary>Days of per-minute history kept in SQLite.</summary>
    public int RetentionDays { get; set; } = 7;

    /// <summary>Consecutive samples over a threshold before an alert is raised, and under it before it clears.</summary>
    public int AlertRaiseAfter { get; set; } = 2;

    public int AlertClearAfter { get; set; } = 3;

    /// <summary>Where raised and cleared alerts are POSTed as JSON; null: nowhere.</summary>
    public string? WebhookUrl { get; set; }

    public TimeSpan Interval => TimeSpan.FromSeconds(Math.Max(1, IntervalSeconds));

    public TimeSpan Stale => TimeSpan.FromSeconds(StaleSeconds ?? Math.Max(35, 3 * Interval.TotalSeconds));
}
