using PgPanel.Core.Cloud.Alibaba;
using PgPanel.Core.Records;

namespace PgPanel.Core.Runs;

/// <summary>
/// One cloud step of a run (pre-flight, instances, running, port, EIP) in the engine: an <see cref="EcsStep"/>, which
/// describes its calls and makes them.
/// The steps of one attempt share one <see cref="EcsRun"/>, begun by the first of them.
/// </summary>
public sealed class CloudStepAction(EcsProvisioner provisioner, Func<CancellationToken, Task<EcsRun>> begin, EcsStep step) : IStepAction
{
    public string Where => "Alibaba Cloud";

    /// <summary>A cloud step waits on the cloud's own timeouts (an instance may take minutes to be Running).</summary>
    public bool WatchIdle => false;

    public string Describe() => step.Describe();

    public async Task<StepOutcome> RunAsync(StepRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var ecs = await CloudFailure.ExplainAsync(() => begin(cancellationToken)).ConfigureAwait(false);
        ecs.Trace = run.Write;
        try
        {
            var outcome = await CloudFailure.ExplainAsync(() => provisioner.RunStepAsync(ecs, step, cancellationToken)).ConfigureAwait(false);
            // A resource made by an earlier attempt is still this run's change.
            return new StepOutcome(run.PreviousStatus == StepStatus.Changed && outcome == StepStatus.Unchanged ? StepStatus.Changed : outcome, 0);
        }
        finally
        {
            ecs.Trace = null;
        }
    }

    public Task RescueAsync(StepRun run) => Task.CompletedTask;
}
