namespace PgPanel.Core;

/// <summary>How jobs run, bound from "PgPanel:Jobs".</summary>
public sealed class JobOptions
{
    public const string Section = "PgPanel:Jobs";

    /// <summary>
    /// A step that prints nothing, reports no progress and finishes no command for this long is stopped and fails
    /// ("no progress from host for N s"). Long enough for a verification's own 120 s wait and a slow restart.
    /// </summary>
    public int StepIdleTimeoutSeconds { get; set; } = 300;

    /// <summary>An SSH connection that does not answer a heartbeat for this long is broken: its commands fail at once.</summary>
    public int SshHeartbeatSeconds { get; set; } = 10;

    /// <summary>A failed clone's partial copy (.datadir.pgpanel-clone.failed-TIME) is kept this long, for a look, then removed.</summary>
    public int FailedCloneKeepHours { get; set; } = 24;

    /// <summary>At most this many failed clone copies are kept beside a data directory (the newest).</summary>
    public int FailedCloneKeepCount { get; set; } = 2;

    /// <summary>
    /// Jobs of different clusters run at once, up to this many (a cluster never has two: the store allows one active
    /// job per cluster). Each running job holds an SSH session or two per node and a clone's network and disk traffic.
    /// </summary>
    public int MaxConcurrentJobs { get; set; } = 4;
}
