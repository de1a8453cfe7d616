using PgPanel.Core.Cloud.Alibaba;
using PgPanel.Core.Records;

namespace PgPanel.Core.Runs;

/// <summary>The release of what a run created in the cloud: exactly the recorded resources, each marked released as it goes.</summary>
public sealed class CloudReleaseAction(EcsProvisioner provisioner, JobStore jobs, Job job, Specs.ClusterSpec spec) : IStepAction
{
    public string Where => "Alibaba Cloud";

    public bool WatchIdle => false;

    public string Describe() =>
        "For each resource this run recorded, newest kind first: UnassociateEipAddress (when still on its instance), ReleaseEipAddress, " +
        "RevokeSecurityGroup (the 5432 rule), DeleteInstance (only an instance tagged with this run).\n" +
        "Nothing this run did not create is touched; each release is recorded as it happens.";

    public async Task<StepOutcome> RunAsync(StepRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var recorded = await jobs.ListCloudResourcesAsync(job.Id, cancellationToken).ConfigureAwait(false);
        var ecs = await CloudFailure.ExplainAsync(() => provisioner.BeginAsync(job.Id, spec, recorded, (_, _) => Task.CompletedTask, cancellationToken)).ConfigureAwait(false);
        ecs.Trace = run.Write;
        await CloudFailure.ExplainAsync(async () =>
        {
            await provisioner.ReleaseAsync(ecs, (r, ct) => jobs.MarkCloudResourceReleasedAsync(r.Id, ct), cancellationToken).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
        return new StepOutcome(StepStatus.Changed, 0);
    }

    public Task RescueAsync(StepRun run) => Task.CompletedTask;
}
