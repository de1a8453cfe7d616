using PgPanel.Core.Records;

namespace PgPanel.Core.Runs;

/// <summary>What the Runs page (and GET /api/jobs) filters the history by.</summary>
public sealed record JobFilter(string? ClusterName = null, JobStatus? Status = null, string? StartedBy = null, DateTimeOffset? From = null, DateTimeOffset? To = null);
