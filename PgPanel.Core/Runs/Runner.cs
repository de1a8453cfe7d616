using PgPanel.Core.Hosts;
using PgPanel.Core.Planning;
using PgPanel.Core.Records;

namespace PgPanel.Core.Runs;

/// <summary>
/// Runs a job's plan: each step as a <see cref="PlanStepAction"/> in the <see cref="StepEngine"/>, from the first
/// unfinished one, stopping at the first failure.
/// </summary>
public sealed class Runner(StepEngine engine)
{
    /// <summary>Runs the steps from the first unfinished one. Returns Succeeded or Failed; cancellation throws.</summary>
    public async Task<JobStatus> RunAsync(RunContext context, IReadOnlyList<JobStep> steps, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(steps);
        var byId = context.Plan.Steps.ToDictionary(s => s.Id, StringComparer.Ordinal);
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            if (step.Status is StepStatus.Changed or StepStatus.Unchanged or StepStatus.Skipped)
            {
                continue;
            }

            var action = new PlanStepAction(context, byId[step.StepId], steps);
            var outcome = await engine.RunAsync(context.JobId, step, action, context.Redactor, cancellationToken).ConfigureAwait(false);
            if (outcome.Status == StepStatus.Failed)
            {
                return JobStatus.Failed;
            }
        }

        return JobStatus.Succeeded;
    }

    /// <summary>
    /// The Review's pre-flight: the plan's pre-flight steps that need nothing provisioned first (no secrets), each as the
    /// <see cref="PlanStepAction"/> a job runs it (guard and check, exit 0 = pass), without applying anything and
    /// without touching the job history.
    /// </summary>
    public static async Task<IReadOnlyList<PreflightResult>> PreflightAsync(Plan plan, IReadOnlyDictionary<string, IHostShell> shells,
        IReadOnlyDictionary<string, Security.Secret> secrets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(shells);
        ArgumentNullException.ThrowIfNull(secrets);
        var context = new RunContext(Guid.Empty, plan, shells, secrets);
        var results = new List<PreflightResult>();
        foreach (var step in plan.Steps.Where(s => s.Kind == StepKind.Preflight && s.Secrets.Count == 0 && s.Check is not null))
        {
            results.Add(await new PlanStepAction(context, step, []).PreflightAsync(cancellationToken).ConfigureAwait(false));
        }

        return results;
    }
}
