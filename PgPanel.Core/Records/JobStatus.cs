namespace PgPanel.Core.Records;

/// <summary>Where a job stands. Written to the job history before and after every step.</summary>
public enum JobStatus
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,

    /// <summary>The panel stopped while the job ran; resume re-checks from the first unfinished step.</summary>
    Interrupted,
}
