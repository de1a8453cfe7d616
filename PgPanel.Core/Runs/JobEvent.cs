using PgPanel.Core.Records;

namespace PgPanel.Core.Runs;

/// <summary>Something happened in a job: a step started, printed a line, made progress or ended; the job's status changed.</summary>
/// <param name="Sequence">Grows by one per event of the job, so a viewer asks only for what came after the last it saw.</param>
public sealed record JobEvent(Guid JobId, long Sequence, JobEventKind Kind, int? StepIndex = null, StepStatus? StepStatus = null,
    JobStatus? JobStatus = null, string? Line = null, int? Progress = null);
