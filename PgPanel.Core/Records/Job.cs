namespace PgPanel.Core.Records;

/// <summary>One provisioning run: a ticket. Its spec (without secrets), its plan and its steps are the audit trail.</summary>
public sealed class Job
{
    public Guid Id { get; set; }

    public required string ClusterName { get; set; }

    public JobStatus Status { get; set; }

    /// <summary>The spec as submitted, secrets removed.</summary>
    public required string SpecJson { get; set; }

    /// <summary>The plan the job runs (steps and files with secret placeholders); null until it is planned.</summary>
    public string? PlanJson { get; set; }

    public string? Error { get; set; }

    /// <summary>
    /// The secrets this job runs with, each sealed with Data Protection: what its spec gave, what it generated, and what
    /// it kept from the cluster's last successful run. A resume uses these; only a success makes them the cluster's.
    /// </summary>
    public string SealedSecretsJson { get; set; } = "{}";

    /// <summary>The replication slots this run drops, as confirmed when it started (JSON array of names).</summary>
    public string DropSlotsJson { get; set; } = "[]";

    /// <summary>Secret name → where its value came from ("the spec", "generated", "kept from run … which succeeded …"); no values.</summary>
    public string SecretSourcesJson { get; set; } = "{}";

    public string StartedBy { get; set; } = "api";

    /// <summary>Who started, resumed or cancelled the job, from where and when: one line each.</summary>
    public string Audit { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>1 for the first run, +1 for each resume.</summary>
    public int Attempt { get; set; } = 1;

    public List<JobStep> Steps { get; set; } = [];
}
