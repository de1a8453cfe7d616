using PgPanel.Core.Records;

namespace PgPanel.Web.Api;

/// <summary>A job with its steps, as GET /api/jobs/{id} returns it.</summary>
public sealed record JobResponse(
    Guid Id, string ClusterName, JobStatus Status, string? Error, string StartedBy, string Audit, int Attempt,
    DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, IReadOnlyList<JobStepResponse>? Steps)
{
    public static JobResponse From(Job job, bool withSteps) => new(
        job.Id, job.ClusterName, job.Status, job.Error, job.StartedBy, job.Audit, job.Attempt, job.CreatedAt, job.StartedAt, job.FinishedAt,
        withSteps ? job.Steps.OrderBy(s => s.Index).Select(JobStepResponse.From).ToList() : null);
}

public sealed record JobStepResponse(
    int Index, string StepId, string Title, string Node, StepKind Kind, StepStatus Status, string Commands, string Output,
    int? ExitCode, int? Progress, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt)
{
    public static JobStepResponse From(JobStep s) =>
        new(s.Index, s.StepId, s.Title, s.Node, s.Kind, s.Status, s.Commands, s.Output, s.ExitCode, s.Progress, s.StartedAt, s.FinishedAt);
}
