using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PgPanel.Core.Records;
using PgPanel.Core.Security;

namespace PgPanel.Core.Runs;

/// <summary>
/// The one engine every job step runs in — provisioning, cloud calls, connect-and-plan, release, day-2 operations. For
/// each step it owns the whole cycle: running (saved, announced), output lines (redacted, kept, shown live, written
/// every second), liveness (a step with no sign of life for the idle limit is stopped), the exception policy, the
/// rescue after a failure or a cancel, and the end (saved, announced, logged).
/// </summary>
/// <remarks>
/// The exception policy: <see cref="StepFailedException"/> is an expected failure with its reason; a cancel of the job
/// ends the step failed and is passed on (the job is cancelled or interrupted); a store that cannot record the step
/// is passed on (the job is failed as soon as the store allows); <b>anything else</b> — a bug, a broken connection,
/// an exception type nobody expected — fails the step with its reason, and so the job, never the panel.
/// </remarks>
public sealed partial class StepEngine(JobStore store, JobEvents events, TimeProvider time, IOptions<JobOptions> options, ILogger<StepEngine> logger)
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    /// <summary>Runs one step and records it. Returns how it ended; throws only for a cancel or a store that cannot record.</summary>
    public async Task<StepOutcome> RunAsync(Guid jobId, JobStep step, IStepAction action, Redactor redactor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(redactor);
        var run = new StepRun(jobId, step, step.Status, redactor, events, time);
        step.Status = StepStatus.Running;
        step.StartedAt = time.GetUtcNow();
        step.FinishedAt = null;
        step.ExitCode = null;
        step.Output = run.Text;
        await store.SaveStepAsync(step, CancellationToken.None).ConfigureAwait(false);
        events.Publish(jobId, JobEventKind.StepStarted, step.Index, StepStatus.Running);
        Log.StepStarted(logger, jobId, step.StepId, step.Node);

        using var background = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var storeLost = new CancellationTokenSource();
        using var stopped = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, storeLost.Token);
        var limit = TimeSpan.FromSeconds(options.Value.StepIdleTimeoutSeconds);
        var flusher = FlushPeriodicallyAsync(run, storeLost, background.Token);
        run.Touch(); // the idle clock starts now, not before the first save (which may wait for a busy store)
        var watchdog = action.WatchIdle ? WatchIdleAsync(run, limit, stopped, background.Token) : Task.CompletedTask;
        var stopwatch = Stopwatch.StartNew();
        (StepOutcome Outcome, ExceptionDispatchInfo? Cancel) ended;
        try
        {
            ended = await RunGuardedAsync(run, action, limit, storeLost, stopped, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // The one stop, whatever happened (a store failure passed on included): the flusher and the watchdog end
            // here, before the step's final state is written.
            await background.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(flusher, watchdog).ConfigureAwait(false);
        }

        await FinishAsync(run, ended.Outcome, stopwatch).ConfigureAwait(false);
        ended.Cancel?.Throw();
        return ended.Outcome;
    }

    /// <summary>Runs the action under the exception policy and its rescue. Returns how the step ended, and the job's cancel to pass on.</summary>
    private async Task<(StepOutcome Outcome, ExceptionDispatchInfo? Cancel)> RunGuardedAsync(StepRun run, IStepAction action, TimeSpan limit,
        CancellationTokenSource storeLost, CancellationTokenSource stopped, CancellationToken cancellationToken)
    {
        var (jobId, step) = (run.JobId, run.Step);
        StepOutcome outcome;
        try
        {
            outcome = await action.RunAsync(run, stopped.Token).ConfigureAwait(false);
        }
        catch (StepFailedException failure)
        {
            run.Write(failure.Message);
            outcome = new StepOutcome(StepStatus.Failed, failure.ExitCode);
        }
        catch (OperationCanceledException cancel) when (cancellationToken.IsCancellationRequested)
        {
            run.Write("Stopped: the job was cancelled or the panel is shutting down.");
            await RescueAsync(action, run).ConfigureAwait(false);
            return (new StepOutcome(StepStatus.Failed, -1), ExceptionDispatchInfo.Capture(cancel));
        }
        catch (OperationCanceledException) when (storeLost.IsCancellationRequested)
        {
            run.Write("The panel's store could not record this step for 30 s: the step was stopped, because PgPanel does not go on " +
                      "changing a host it cannot record. The job is marked failed as soon as the store takes writes; resume re-checks from here.");
            outcome = new StepOutcome(StepStatus.Failed, null);
        }
        catch (OperationCanceledException) when (stopped.IsCancellationRequested)
        {
            run.Write($"No output and no progress from {action.Where} for {limit.TotalSeconds:0} s: the step was stopped " +
                      "(PgPanel:Jobs:StepIdleTimeoutSeconds). The host may be frozen or unreachable; resume re-checks from this step.");
            outcome = new StepOutcome(StepStatus.Failed, null);
        }
        catch (StoreUnavailableException)
        {
            // Nothing can be recorded: the job is failed as soon as the store allows (its running steps with it).
            throw;
        }
        catch (Exception ex)
        {
            // Whatever else a step meets — a broken connection, a timeout, a bug, a type nobody expected — fails the
            // step with its reason, never the panel.
            run.Write($"The step could not run: {ExceptionText.Of(ex)}");
            Log.StepCrashed(logger, jobId, step.StepId, ex.GetType().Name);
            outcome = new StepOutcome(StepStatus.Failed, null);
        }

        if (outcome.Status == StepStatus.Failed)
        {
            await RescueAsync(action, run).ConfigureAwait(false);
        }

        return (outcome, null);
    }

    private async Task FinishAsync(StepRun run, StepOutcome outcome, Stopwatch stopwatch)
    {
        var step = run.Step;
        step.Status = outcome.Status;
        step.ExitCode = outcome.ExitCode;
        step.FinishedAt = time.GetUtcNow();
        step.Output = run.Text;
        await store.SaveStepAsync(step, CancellationToken.None).ConfigureAwait(false);
        events.Publish(run.JobId, JobEventKind.StepFinished, step.Index, outcome.Status);
        Log.StepFinished(logger, run.JobId, step.StepId, outcome.Status, stopwatch.ElapsedMilliseconds);
    }

    private async Task RescueAsync(IStepAction action, StepRun run)
    {
        try
        {
            await action.RescueAsync(run).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not StoreUnavailableException)
        {
            run.Write($"Clean-up could not run: {ExceptionText.Of(ex)}");
            Log.StepCrashed(logger, run.JobId, run.Step.StepId, ex.GetType().Name);
        }
    }

    /// <summary>Liveness: no output, progress or finished command for the limit stops the step (a frozen host, a dead link).</summary>
    private static async Task WatchIdleAsync(StepRun run, TimeSpan limit, CancellationTokenSource idle, CancellationToken stopped)
    {
        try
        {
            while (!stopped.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(1, limit.TotalSeconds / 4)), stopped).ConfigureAwait(false);
                if (run.SinceActivity > limit)
                {
                    await idle.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The step ended.
        }
    }

    /// <summary>
    /// Writes the running step's output every second. When the store refuses a write (after its 30 s busy wait), the
    /// step is stopped through <paramref name="storeLost"/>: a change that cannot be recorded is not made.
    /// </summary>
    private async Task FlushPeriodicallyAsync(StepRun run, CancellationTokenSource storeLost, CancellationToken cancellationToken)
    {
        var written = 0L;
        try
        {
            using var timer = new PeriodicTimer(FlushInterval, time);
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                if (run.Version == written)
                {
                    continue;
                }

                try
                {
                    run.Step.Output = run.Text;
                    await store.SaveStepAsync(run.Step, cancellationToken).ConfigureAwait(false);
                    written = run.Version;
                }
                catch (StoreUnavailableException)
                {
                    // Live pages still get every line, but the history cannot: stop the step.
                    await storeLost.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The step ended; its final state is written by the engine.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Job {JobId}: step {Step} on {Node} started")]
        public static partial void StepStarted(ILogger logger, Guid jobId, string step, string node);

        [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Job {JobId}: step {Step} ended {Status} after {ElapsedMs} ms")]
        public static partial void StepFinished(ILogger logger, Guid jobId, string step, StepStatus status, long elapsedMs);

        [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Job {JobId}: step {Step} failed with an unexpected {ExceptionType}")]
        public static partial void StepCrashed(ILogger logger, Guid jobId, string step, string exceptionType);
    }
}
