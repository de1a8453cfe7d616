namespace PgPanel.Core.Runs;

/// <summary>
/// What one job step does, whatever its kind — a plan's shell step, a cloud call, connect-and-plan, the release of
/// cloud resources, and the day-2 operations to come. It describes itself (the Review, the export, the step's
/// "Commands") and runs; the <see cref="StepEngine"/> owns everything around the run: status, persistence, live
/// events, redaction, liveness and the exception policy.
/// </summary>
public interface IStepAction
{
    /// <summary>Where the step runs, as a DBA reads it in a message ("primary (10.0.0.5)", "Alibaba Cloud").</summary>
    string Where { get; }

    /// <summary>True when the step is stopped after <see cref="JobOptions.StepIdleTimeoutSeconds"/> without a sign of life.</summary>
    bool WatchIdle { get; }

    /// <summary>What the step will do: every command and file, or every API call. Secrets appear as their names only.</summary>
    string Describe();

    /// <summary>
    /// Runs the step. Returns how it ended; throws <see cref="StepFailedException"/> for an expected failure with its
    /// reason. Anything else it throws is the engine's to handle: the step fails with the reason, never the panel.
    /// </summary>
    Task<StepOutcome> RunAsync(StepRun run, CancellationToken cancellationToken);

    /// <summary>Clean-up after a failure or a cancel (stop a half-started clone, remove a half-written directory). Never throws.</summary>
    Task RescueAsync(StepRun run);
}
