namespace PgPanel.Core.Records;

public enum StepStatus
{
    Pending,
    Running,

    /// <summary>The check found a difference and the apply fixed it.</summary>
    Changed,

    /// <summary>Already in the desired state (or, for a verification, proven).</summary>
    Unchanged,

    Skipped,
    Failed,
}
