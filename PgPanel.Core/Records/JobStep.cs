namespace PgPanel.Core.Records;

/// <summary>A step of a job as it ran: what it ran (secrets redacted), what it printed, how it ended.</summary>
public sealed class JobStep
{
    public long Id { get; set; }

    public Guid JobId { get; set; }

    /// <summary>Position in the plan, from 0.</summary>
    public int Index { get; set; }

    public required string StepId { get; set; }

    public required string Title { get; set; }

    public required string Node { get; set; }

    public StepKind Kind { get; set; }

    public StepStatus Status { get; set; }

    /// <summary>The step's commands as shell text, as the exported script shows them (secrets only as $VARIABLES).</summary>
    public string Commands { get; set; } = "";

    /// <summary>Output of the check and apply, redacted, at most <see cref="JobStore.MaxOutputChars"/> (the tail).</summary>
    public string Output { get; set; } = "";

    public int? ExitCode { get; set; }

    /// <summary>0–100 for a step that reports progress (the base backup).</summary>
    public int? Progress { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }
}
