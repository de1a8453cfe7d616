using Microsoft.EntityFrameworkCore;
using PgPanel.Core.Persistence;
using PgPanel.Core.Records;

namespace PgPanel.Core.Runs;

/// <summary>The job history: the only writer of jobs and steps. One DbContext per operation.</summary>
public sealed class JobStore(IDbContextFactory<PanelDbContext> contexts, TimeProvider time, StoreHealth health)
{
    /// <summary>Output kept per step: the tail, so a chatty step cannot grow the history without bound.</summary>
    public const int MaxOutputChars = 64 * 1024;

    /// <summary>
    /// Records a new job; false when the cluster already has a queued or running job. The database decides (a unique
    /// index over the active jobs' cluster names), so two requests at the same moment cannot both add one.
    /// </summary>
    public Task<bool> TryAddAsync(Job job, CancellationToken cancellationToken = default)
    {
        return health.GuardAsync("record a new job", async () =>
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            db.Jobs.Add(job);
            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (DbUpdateException ex) when (UniqueViolation.Is(ex))
            {
                return false;
            }
        });
    }

    public Task<Job?> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        return health.GuardAsync("read a job", async () =>
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var job = await db.Jobs.AsNoTracking().Include(j => j.Steps).SingleOrDefaultAsync(j => j.Id == id, cancellationToken).ConfigureAwait(false);
            job?.Steps.Sort((a, b) => a.Index.CompareTo(b.Index));
            return job;
        });
    }

    /// <summary>Jobs newest first, without their steps.</summary>
    public Task<IReadOnlyList<Job>> ListAsync(int skip = 0, int take = 50, string? clusterName = null, CancellationToken cancellationToken = default)
    {
        return health.GuardAsync("list jobs", async () =>
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var query = db.Jobs.AsNoTracking();
            if (clusterName is not null)
            {
                query = query.Where(j => j.ClusterName == clusterName);
            }

            // A list never carries specs or plans: a page of jobs stays small whatever a spec held.
            return (IReadOnlyList<Job>)await query.OrderByDescending(j => j.CreatedAt).Skip(skip).Take(take)
                .Select(j => new Job
                {
                    Id = j.Id, ClusterName = j.ClusterName, Status = j.Status, SpecJson = "", Error = j.Error, StartedBy = j.StartedBy,
                    CreatedAt = j.CreatedAt, StartedAt = j.StartedAt, FinishedAt = j.FinishedAt, Attempt = j.Attempt,
                })
                .ToListAsync(cancellationToken).ConfigureAwait(false);
        });
    }

    /// <summary>A page of jobs, newest first, matching the filter, and how many match in all.</summary>
    public Task<(IReadOnlyList<Job> Items, int Total)> QueryAsync(JobFilter filter, int skip, int take, CancellationToken cancellationToken = default)
    {
        return health.GuardAsync("list jobs", async () =>
        {
            ArgumentNullException.ThrowIfNull(filter);
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var query = db.Jobs.AsNoTracking();
            if (!string.IsNullOrWhiteSpace(filter.ClusterName))
            {
                query = query.Where(j => j.ClusterName.Contains(filter.ClusterName));
            }

            if (filter.Status is { } status)
            {
                query = query.Where(j => j.Status == status);
            }

            if (!string.IsNullOrWhiteSpace(filter.StartedBy))
            {
                query = query.Where(j => j.StartedBy.Contains(filter.StartedBy));
            }

            if (filter.From is { } from)
            {
                query = query.Where(j => j.CreatedAt >= from);
            }

            if (filter.To is { } to)
            {
                query = query.Where(j => j.CreatedAt <= to);
            }

            var total = await query.CountAsync(cancellationToken).ConfigureAwait(false);
            var items = await query.OrderByDescending(j => j.CreatedAt).Skip(skip).Take(take)
                .Select(j => new Job
                {
                    Id = j.Id, ClusterName = j.ClusterName, Status = j.Status, SpecJson = "", Error = j.Error, StartedBy = j.StartedBy,
                    CreatedAt = j.CreatedAt, StartedAt = j.StartedAt, FinishedAt = j.FinishedAt, Attempt = j.Attempt,
                })
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            return ((IReadOnlyList<Job>)items, total);
        });
    }

    /// <summary>The queued or running job of a cluster, if any.</summary>
    public Task<Job?> FindActiveAsync(string clusterName, CancellationToken cancellationToken = default)
    {
        return health.GuardAsync("read the active job", async () =>
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            return await db.Jobs.AsNoTracking()
                .Where(j => j.ClusterName == clusterName && (j.Status == JobStatus.Queued || j.Status == JobStatus.Running))
                .OrderByDescending(j => j.CreatedAt).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        });
    }

    /// <summary>Adds steps to a job and, when given, records its plan.</summary>
    public Task SavePlanAsync(Guid jobId, string? planJson, IReadOnlyList<JobStep> steps, CancellationToken cancellationToken = default)
    {
        return health.GuardAsync("record a job's plan", async () =>
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var job = await db.Jobs.SingleAsync(j => j.Id == jobId, cancellationToken).ConfigureAwait(false);
            job.PlanJson = planJson ?? job.PlanJson;
            foreach (var step in steps)
            {
                step.JobId = jobId;
                db.JobSteps.Add(step);
            }

            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        });
    }

    /// <summary>
    /// Takes a queued job for running: true for exactly one caller (a conditional update), so a job queued twice, or
    /// cancelled while it was being picked up, never runs twice or after its cancellation.
    /// </summary>
    public Task<bool> TryClaimAsync(Guid jobId, CancellationToken cancellationToken = default)
    {
        return health.GuardAsync("take a job for running", async () =>
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var claimed = await db.Jobs.Where(j => j.Id == jobId && j.Status == JobStatus.Queued)
                .ExecuteUpdateAsync(set => set.SetProperty(j => j.Status, JobStatus.Running), cancellationToken).ConfigureAwait(false);
            return claimed == 1;
        });
    }

    public Task SetStatusAsync(Guid jobId, JobStatus status, string? error = null, CancellationToken cancellationToken = default)
    {
        return health.GuardAsync("record a job's status", async () =>
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var job = await db.Jobs.SingleAsync(j => j.Id == jobId, cancellationToken).ConfigureAwait(false);
            job.Status = status;
            job.Error = error;
            var now = time.GetUtcNow();
            if (status == JobStatus.Running)
            {
                job.StartedAt ??= now;
                job.FinishedAt = null;
            }
            else if (status is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Cancelled or JobStatus.Interrupted)
            {
                job.FinishedAt = now;
            }

            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        });
    }

    /// <summary>Writes a step's state (status, output, exit code, progress, times).</summary>
    public Task SaveStepAsync(JobStep step, CancellationToken cancellationToken = default)
    {
        return health.GuardAsync("record a step", async () =>
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            await db.JobSteps.Where(s => s.Id == step.Id).ExecuteUpdateAsync(set => set
                .SetProperty(s => s.Status, step.Status)
                .SetProperty(s => s.Output, Tail(step.Output))
                .SetProperty(s => s.ExitCode, step.ExitCode)
                .SetProperty(s => s.Progress, step.Progress)
                .SetProperty(s => s.StartedAt, step.StartedAt)
                .SetProperty(s => s.FinishedAt, step.FinishedAt), cancellationToken).ConfigureAwait(false);
        });
    }

    public Task AppendAuditAsync(Guid jobId, string line, CancellationToken cancellationToken = default)
    {
        return health.GuardAsync("record the audit", async () =>
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var job = await db.Jobs.SingleOrDefaultAsync(j => j.Id == jobId, cancellationToken).ConfigureAwait(false);
            if (job is not null)
            {
                job.Audit += $"{time.GetUtcNow():u} {line}\n";
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
        });
    }

    /// <summary>A job that stopped without finishing its step (the store failed under it): the step is failed with the reason.</summary>
    public Task FailRunningStepsAsync(Guid jobId, string reason, CancellationToken cancellationToken = default)
    {
        return health.GuardAsync("record a failed step", async () =>
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var now = time.GetUtcNow();
            var running = await db.JobSteps.Where(s => s.JobId == jobId && s.Status == StepStatus.Running).ToListAsync(cancellationToken).ConfigureAwait(false);
            foreach (var step in running)
            {
                step.Status = StepStatus.Failed;
                step.FinishedAt = now;
                step.Output = Tail(step.Output + reason + "\n");
            }

            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        });
    }

    /// <summary>At start-up: every job left queued or running by a panel that stopped is interrupted.</summary>
    public Task<int> MarkInterruptedAsync(CancellationToken cancellationToken = default)
    {
        return health.GuardAsync("mark interrupted jobs", async () =>
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var now = time.GetUtcNow();
            var jobs = await db.Jobs.Where(j => j.Status == JobStatus.Running || j.Status == JobStatus.Queued).ToListAsync(cancellationToken).ConfigureAwait(false);
            foreach (var job in jobs)
            {
                job.Status = JobStatus.Interrupted;
                job.Error = "The panel stopped while this job was running; resume it to re-check from the first unfinished step.";
                job.FinishedAt = now;
            }

            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return jobs.Count;
        });
    }

    /// <summary>Prepares a failed, cancelled or interrupted job to run again from its first unfinished step.</summary>
    public Task<bool> PrepareResumeAsync(Guid jobId, CancellationToken cancellationToken = default)
    {
        return health.GuardAsync("prepare a resume", async () =>
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var job = await db.Jobs.Include(j => j.Steps).SingleOrDefaultAsync(j => j.Id == jobId, cancellationToken).ConfigureAwait(false);
            if (job is null || job.Status is not (JobStatus.Failed or JobStatus.Cancelled or JobStatus.Interrupted))
            {
                return false;
            }

            foreach (var step in job.Steps.Where(s => s.Status is StepStatus.Running or StepStatus.Failed))
            {
                step.Status = StepStatus.Pending;
                step.Output = step.Output.Length == 0 ? "" : Tail(step.Output + $"\n--- attempt {job.Attempt} ended here; re-checking on resume ---\n");
                step.ExitCode = null;
                step.Progress = null;
                step.FinishedAt = null;
            }

            job.Status = JobStatus.Queued;
            job.Error = null;
            job.FinishedAt = null;
            job.Attempt++;
            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateException ex) when (UniqueViolation.Is(ex))
            {
                throw new RunConflictException($"Another run of cluster {job.ClusterName} is queued or running: wait for it to end, or cancel it, before resuming this one.");
            }

            return true;
        });
    }

    /// <summary>Records a cloud resource the moment the API has created it.</summary>
    public Task AddCloudResourceAsync(CloudResource resource, CancellationToken cancellationToken = default)
    {
        return health.GuardAsync("record a cloud resource", async () =>
        {
            ArgumentNullException.ThrowIfNull(resource);
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            resource.CreatedAt = time.GetUtcNow();
            db.CloudResources.Add(resource);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        });
    }

    public Task<IReadOnlyList<CloudResource>> ListCloudResourcesAsync(Guid jobId, CancellationToken cancellationToken = default)
    {
        return health.GuardAsync("read cloud resources", async () =>
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            return (IReadOnlyList<CloudResource>)await db.CloudResources.AsNoTracking().Where(r => r.JobId == jobId).OrderBy(r => r.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        });
    }

    /// <summary>
    /// Whether any run of a cluster may have changed something: a change or handler step that changed or failed (its
    /// apply may have begun), or a cloud resource it created.
    /// </summary>
    public Task<bool> AnyRunTouchedAsync(string clusterName, CancellationToken cancellationToken = default)
    {
        return health.GuardAsync("read what runs changed", async () =>
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var runs = db.Jobs.Where(j => j.ClusterName == clusterName).Select(j => j.Id);
            return await db.JobSteps.AnyAsync(s => runs.Contains(s.JobId) && (s.Kind == StepKind.Change || s.Kind == StepKind.Handler) &&
                       (s.Status == StepStatus.Changed || s.Status == StepStatus.Failed), cancellationToken).ConfigureAwait(false)
                   || await db.CloudResources.AnyAsync(r => runs.Contains(r.JobId), cancellationToken).ConfigureAwait(false);
        });
    }

    /// <summary>Cloud instances earlier runs of a cluster created and nobody released: a re-run uses them again.</summary>
    public Task<IReadOnlyList<CloudResource>> ListLiveInstancesAsync(string clusterName, Guid exceptJobId, CancellationToken cancellationToken = default)
    {
        return health.GuardAsync("read cloud instances", async () =>
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var jobIds = db.Jobs.Where(j => j.ClusterName == clusterName && j.Id != exceptJobId).Select(j => j.Id);
            return (IReadOnlyList<CloudResource>)await db.CloudResources.AsNoTracking()
                .Where(r => jobIds.Contains(r.JobId) && r.Kind == Cloud.CloudResourceKinds.Instance && r.ReleasedAt == null)
                .OrderBy(r => r.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        });
    }

    public Task MarkCloudResourceReleasedAsync(long id, CancellationToken cancellationToken = default)
    {
        return health.GuardAsync("record a released cloud resource", async () =>
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var now = time.GetUtcNow();
            await db.CloudResources.Where(r => r.Id == id).ExecuteUpdateAsync(set => set.SetProperty(r => r.ReleasedAt, now), cancellationToken).ConfigureAwait(false);
        });
    }

    /// <summary>Adds one step at the end of a job (the release of its cloud resources).</summary>
    public Task<JobStep> AppendStepAsync(Guid jobId, JobStep step, CancellationToken cancellationToken = default)
    {
        return health.GuardAsync("record a step", async () =>
        {
            ArgumentNullException.ThrowIfNull(step);
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            step.JobId = jobId;
            step.Index = (await db.JobSteps.Where(s => s.JobId == jobId).MaxAsync(s => (int?)s.Index, cancellationToken).ConfigureAwait(false) ?? -1) + 1;
            db.JobSteps.Add(step);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return step;
        });
    }

    internal static string Tail(string output) =>
        output.Length <= MaxOutputChars ? output : "…" + output[^(MaxOutputChars - 1)..];
}
