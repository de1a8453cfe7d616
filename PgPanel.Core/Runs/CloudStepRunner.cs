using PgPanel.Core.Cloud.Alibaba;
using PgPanel.Core.Records;
using PgPanel.Core.Security;
using PgPanel.Core.Specs;

namespace PgPanel.Core.Runs;

/// <summary>
/// A job's cloud steps (before "connect") and the release of what they created, each a <see cref="CloudStepAction"/>
/// or <see cref="CloudReleaseAction"/> in the <see cref="StepEngine"/>. Every attempt runs them all again: each only
/// looks when its work is done, which also reloads the instances' addresses for a resumed job.
/// </summary>
public sealed class CloudStepRunner(EcsProvisioner provisioner, JobStore jobs, StepEngine engine)
{
    public static List<JobStep> CreateSteps(ClusterSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Cloud is null)
        {
            return [];
        }

        return EcsProvisioner.Steps(spec).Select((s, i) => new JobStep
        {
            Index = i, StepId = s.Id, Title = s.Title, Node = "cloud", Kind = StepKind.Cloud, Status = StepStatus.Pending,
            Commands = s.Describe(),
        }).ToList();
    }

    /// <summary>The spec with the instances' addresses, or null when a step failed (recorded on the step).</summary>
    public async Task<ClusterSpec?> RunAsync(Guid jobId, string clusterName, ClusterSpec spec, IReadOnlyList<JobStep> steps, Redactor redactor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(redactor);
        EcsRun? run = null;
        async Task<EcsRun> BeginAsync(CancellationToken ct)
        {
            if (run is null)
            {
                var recorded = await jobs.ListCloudResourcesAsync(jobId, ct).ConfigureAwait(false);
                var earlier = await jobs.ListLiveInstancesAsync(clusterName, jobId, ct).ConfigureAwait(false);
                run = await provisioner.BeginAsync(jobId, spec, recorded, jobs.AddCloudResourceAsync, ct, earlier).ConfigureAwait(false);
            }

            return run;
        }

        var defined = EcsProvisioner.Steps(spec).ToDictionary(s => s.Id, StringComparer.Ordinal);
        foreach (var step in steps.OrderBy(s => s.Index))
        {
            var action = new CloudStepAction(provisioner, BeginAsync, defined[step.StepId]);
            var outcome = await engine.RunAsync(jobId, step, action, redactor, cancellationToken).ConfigureAwait(false);
            if (outcome.Status == StepStatus.Failed)
            {
                return null;
            }
        }

        return run is null ? null : EcsProvisioner.Resolve(run);
    }

    /// <summary>Releases what a job created, recorded as a step of its own at the end of the job.</summary>
    public async Task<JobStep> ReleaseAsync(Job job, ClusterSpec spec, string by, Redactor redactor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(redactor);
        var action = new CloudReleaseAction(provisioner, jobs, job, spec);
        var step = await jobs.AppendStepAsync(job.Id, new JobStep
        {
            StepId = CloudStepIds.Release, Title = $"Release the cloud resources this run created (asked by {by})", Node = "cloud", Kind = StepKind.Cloud,
            Status = StepStatus.Pending, Commands = action.Describe(),
        }, cancellationToken).ConfigureAwait(false);
        // Not stopped by the request that asked for it: a release cut off halfway leaves resources behind unseen.
        await engine.RunAsync(job.Id, step, action, redactor, CancellationToken.None).ConfigureAwait(false);
        return step;
    }
}
