using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PgPanel.Core.Hosts;
using PgPanel.Core.Planning;
using static PgPanel.Core.Security.ShellQuote;

namespace PgPanel.Core.Runs;

/// <summary>
/// Runs a job's plan: the only thing that runs commands for a job. For each step it writes the step's state before and
/// after, runs the check and applies only on a difference, streams output (redacted) and stops at the first failure.
/// </summary>
public sealed partial class Runner(JobStore store, JobEvents events, TimeProvider time, IOptions<JobOptions> options, ILogger<Runner> logger)
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

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

            var planStep = byId[step.StepId];
            var outcome = await RunStepAsync(context, planStep, step, steps, cancellationToken).ConfigureAwait(false);
            if (outcome.Status == StepStatus.Failed)
            {
                return JobStatus.Failed;
            }
        }

        return JobStatus.Succeeded;
    }

    /// <summary>
    /// Runs the checks of the plan's pre-flight steps that need nothing provisioned first — the same commands a job
    /// runs, without applying anything and without touching the job history.
    /// </summary>
    public static async Task<IReadOnlyList<PreflightResult>> PreflightAsync(Plan plan, IReadOnlyDictionary<string, IHostShell> shells,
        IReadOnlyDictionary<string, Security.Secret> secrets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(shells);
        var redactor = new Security.Redactor(secrets.Values);
        var results = new List<PreflightResult>();
        foreach (var step in plan.Steps.Where(s => s.Kind == StepKind.Preflight && s.Secrets.Count == 0 && s.Check is not null))
        {
            var check = step.Check!;
            var result = await shells[check.Node].RunAsync(new ShellCommand(check.Script, check.RunAs), cancellationToken: cancellationToken).ConfigureAwait(false);
            results.Add(new PreflightResult(step.Id, step.Title, step.Node, result.ExitCode == 0, redactor.Redact(result.Output.Trim())));
        }

        return results;
    }

    private async Task<StepOutcome> RunStepAsync(RunContext context, PlanStep planStep, JobStep step, IReadOnlyList<JobStep> all, CancellationToken cancellationToken)
    {
        var output = new StepOutput(context.Redactor);
        step.Status = StepStatus.Running;
        step.StartedAt = time.GetUtcNow();
        step.FinishedAt = null;
        step.ExitCode = null;
        if (step.Output.Length > 0)
        {
            output.Append(step.Output.TrimEnd('\n'));
        }

        step.Output = output.Text;
        await store.SaveStepAsync(step, CancellationToken.None).ConfigureAwait(false);
        events.Publish(context.JobId, JobEventKind.StepStarted, step.Index, StepStatus.Running);
        Log.StepStarted(logger, context.JobId, planStep.Id, planStep.Node);

        using var flushCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var storeLost = new CancellationTokenSource();
        var flusher = FlushPeriodicallyAsync(step, output, storeLost, flushCts.Token);

        // Liveness: a step whose commands print nothing, report no progress and finish nothing for the idle limit is
        // stopped, so a host that froze or a link that died cannot hold the job for the TCP timeout (15 minutes).
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, storeLost.Token);
        var limit = TimeSpan.FromSeconds(options.Value.StepIdleTimeoutSeconds);
        var activity = new Activity(time);
        var watchdog = WatchIdleAsync(activity, limit, idle, flushCts.Token);
        var stopwatch = Stopwatch.StartNew();
        StepOutcome outcome;
        var executor = new StepExecution(context, planStep, output, line =>
        {
            activity.Touch();
            OnLine(context, step, planStep, output, line);
        }, activity, idle.Token);
        try
        {
            outcome = await ExecuteAsync(executor, planStep, all).ConfigureAwait(false);
        }
        catch (StepFailedException failure)
        {
            output.Append(failure.Message);
            outcome = new StepOutcome(StepStatus.Failed, failure.ExitCode);
        }
        catch (OperationCanceledException) when (storeLost.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            output.Append("The panel's store could not record this step for 30 s: the step was stopped, because PgPanel does not go on " +
                          "changing a host it cannot record. The job is marked failed as soon as the store takes writes; resume re-checks from here.");
            outcome = new StepOutcome(StepStatus.Failed, null);
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var host = context.Shells.TryGetValue(planStep.Node, out var shell) ? shell.Description : planStep.Node;
            output.Append($"No output and no progress from {host} for {limit.TotalSeconds:0} s: the step was stopped " +
                          $"(PgPanel:Jobs:StepIdleTimeoutSeconds). The host may be frozen or unreachable; resume re-checks from this step.");
            outcome = new StepOutcome(StepStatus.Failed, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            output.Append("Stopped: the job was cancelled or the panel is shutting down.");
            await executor.RescueAsync().ConfigureAwait(false);
            step.Status = StepStatus.Failed;
            step.ExitCode = -1;
            step.FinishedAt = time.GetUtcNow();
            step.Output = output.Text;
            await flushCts.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(flusher, watchdog).ConfigureAwait(false);
            await store.SaveStepAsync(step, CancellationToken.None).ConfigureAwait(false);
            events.Publish(context.JobId, JobEventKind.StepFinished, step.Index, StepStatus.Failed);
            throw;
        }
        catch (StoreUnavailableException)
        {
            await flushCts.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(flusher, watchdog).ConfigureAwait(false);
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Whatever a step meets — a broken connection, an SSH timeout, a bug — fails the step, never the panel.
            output.Append($"The step could not run: {context.Redactor.Redact(ExceptionText.Of(ex))}");
            Log.StepCrashed(logger, context.JobId, planStep.Id, ex.GetType().Name);
            outcome = new StepOutcome(StepStatus.Failed, null);
        }

        if (outcome.Status == StepStatus.Failed)
        {
            await executor.RescueAsync().ConfigureAwait(false);
        }

        await flushCts.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(flusher, watchdog).ConfigureAwait(false);
        step.Status = outcome.Status;
        step.ExitCode = outcome.ExitCode;
        step.FinishedAt = time.GetUtcNow();
        step.Output = output.Text;
        if (planStep.ReportsProgress && outcome.Status == StepStatus.Changed)
        {
            step.Progress = 100;
        }

        await store.SaveStepAsync(step, CancellationToken.None).ConfigureAwait(false);
        events.Publish(context.JobId, JobEventKind.StepFinished, step.Index, outcome.Status);
        Log.StepFinished(logger, context.JobId, planStep.Id, outcome.Status, stopwatch.ElapsedMilliseconds);
        return outcome;
    }

    private static async Task WatchIdleAsync(Activity activity, TimeSpan limit, CancellationTokenSource idle, CancellationToken stopped)
    {
        try
        {
            while (!stopped.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(1, limit.TotalSeconds / 4)), stopped).ConfigureAwait(false);
                if (activity.Since > limit)
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

    private static async Task<StepOutcome> ExecuteAsync(StepExecution run, PlanStep step, IReadOnlyList<JobStep> all)
    {
        if (step.Unless is not null)
        {
            var unless = await run.CommandAsync(step.Unless, echo: false).ConfigureAwait(false);
            if (unless.ExitCode == 0)
            {
                run.Output.Append("Already in the desired state.");
                return new StepOutcome(StepStatus.Unchanged, 0);
            }
        }

        switch (step.Kind)
        {
            case StepKind.Preflight:
            {
                var result = await run.CommandAsync(step.Check!).ConfigureAwait(false);
                return result.ExitCode == 0
                    ? new StepOutcome(StepStatus.Unchanged, 0)
                    : new StepOutcome(StepStatus.Failed, result.ExitCode);
            }

            case StepKind.Verify:
            {
                foreach (var command in step.Apply)
                {
                    var result = await run.CommandAsync(command).ConfigureAwait(false);
                    if (result.ExitCode != 0)
                    {
                        return new StepOutcome(StepStatus.Failed, result.ExitCode);
                    }

                    if (command.CaptureAs is not null)
                    {
                        run.Captured[command.CaptureAs] = result.LastLine;
                    }
                }

                return new StepOutcome(StepStatus.Unchanged, 0);
            }

            case StepKind.Handler:
            {
                var triggers = all.Where(s => s.Status == StepStatus.Changed).Select(s => s.StepId).ToHashSet(StringComparer.Ordinal);
                var notifiers = run.Plan.Steps.Where(s => s.Notifies.Contains(step.Id) && triggers.Contains(s.Id)).Select(s => s.Id).ToList();
                if (notifiers.Count == 0)
                {
                    run.Output.Append("Not notified: nothing it applies changed in this job.");
                    return new StepOutcome(StepStatus.Unchanged, 0);
                }

                run.Output.Append($"Notified by {string.Join(", ", notifiers)}.");
                return await CheckThenApplyAsync(run, step, filesChanged: false).ConfigureAwait(false);
            }

            default:
            {
                var filesChanged = false;
                foreach (var file in step.Files)
                {
                    filesChanged |= await run.EnsureFileAsync(file).ConfigureAwait(false);
                }

                return await CheckThenApplyAsync(run, step, filesChanged).ConfigureAwait(false);
            }
        }
    }

    private static async Task<StepOutcome> CheckThenApplyAsync(StepExecution run, PlanStep step, bool filesChanged)
    {
        bool needApply;
        if (step.Check is not null)
        {
            var check = await run.CommandAsync(step.Check).ConfigureAwait(false);
            if (check.ExitCode is not (0 or 1))
            {
                throw new StepFailedException(check.ExitCode, $"The check failed with exit code {check.ExitCode}.");
            }

            needApply = check.ExitCode == 1;
        }
        else
        {
            needApply = step.Files.Count == 0 ? step.Apply.Count > 0 : filesChanged;
        }

        if (!needApply)
        {
            return new StepOutcome(filesChanged ? StepStatus.Changed : StepStatus.Unchanged, 0);
        }

        foreach (var command in step.Apply)
        {
            var result = await run.CommandAsync(command).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                throw new StepFailedException(result.ExitCode, $"The change failed with exit code {result.ExitCode}.");
            }
        }

        if (step.Kind == StepKind.Change && step.Check is not null)
        {
            var after = await run.CommandAsync(step.Check, echo: false).ConfigureAwait(false);
            if (after.ExitCode != 0)
            {
                throw new StepFailedException(after.ExitCode, "The change ran, but the check still finds a difference.");
            }
        }

        return new StepOutcome(StepStatus.Changed, 0);
    }

    private void OnLine(RunContext context, JobStep step, PlanStep planStep, StepOutput output, string line)
    {
        var redacted = output.Append(line);
        if (planStep.ReportsProgress && ProgressRegex().Match(line) is { Success: true } match &&
            int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var percent) && percent != step.Progress)
        {
            step.Progress = Math.Clamp(percent, 0, 100);
            events.Publish(context.JobId, JobEventKind.StepProgress, step.Index, progress: step.Progress);
        }

        events.Publish(context.JobId, JobEventKind.StepOutput, step.Index, line: redacted);
    }

    /// <summary>
    /// Writes the running step's output every second. When the store refuses a write (after its 30 s busy wait), the
    /// step is stopped through <paramref name="storeLost"/>: a change that cannot be recorded is not made.
    /// </summary>
    private async Task FlushPeriodicallyAsync(JobStep step, StepOutput output, CancellationTokenSource storeLost, CancellationToken cancellationToken)
    {
        var written = 0L;
        try
        {
            using var timer = new PeriodicTimer(FlushInterval, time);
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                if (output.Version == written)
                {
                    continue;
                }

                try
                {
                    step.Output = output.Text;
                    await store.SaveStepAsync(step, cancellationToken).ConfigureAwait(false);
                    written = output.Version;
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
            // The step ended; its final state is written by the caller.
        }
    }

    [GeneratedRegex(@"\((\d{1,3})%\)")]
    private static partial Regex ProgressRegex();

    /// <summary>The output of one step, redacted line by line, thread-safe.</summary>
    private sealed class StepOutput(Security.Redactor redactor)
    {
        private readonly StringBuilder _text = new();
        private readonly Lock _gate = new();

        public long Version { get; private set; }

        public string Text
        {
            get
            {
                lock (_gate)
                {
                    return _text.ToString();
                }
            }
        }

        public string Append(string line)
        {
            var redacted = redactor.Redact(line);
            lock (_gate)
            {
                _text.Append(redacted).Append('\n');
                if (_text.Length > JobStore.MaxOutputChars * 2)
                {
                    _text.Remove(0, _text.Length - JobStore.MaxOutputChars);
                }

                Version++;
            }

            return redacted;
        }
    }

    /// <summary>When a step last showed a sign of life: an output line, progress, or a command that finished.</summary>
    private sealed class Activity(TimeProvider time)
    {
        private long _last = time.GetTimestamp();

        public TimeSpan Since => time.GetElapsedTime(Interlocked.Read(ref _last));

        public void Touch() => Interlocked.Exchange(ref _last, time.GetTimestamp());

        /// <summary>For output that is not shown (an Unless guard): it still proves the host is alive.</summary>
        public void TouchLine(string line) => Touch();
    }

    /// <summary>Runs the commands and file checks of one step against the right hosts with the step's secrets.</summary>
    private sealed class StepExecution(RunContext context, PlanStep step, StepOutput output, Action<string> onLine, Activity activity, CancellationToken cancellationToken)
    {
        public Plan Plan => context.Plan;

        public StepOutput Output => output;

        public Dictionary<string, string> Captured { get; } = new(StringComparer.Ordinal);

        public async Task<ShellResult> CommandAsync(PlanCommand command, bool echo = true)
        {
            var shell = Shell(command.Node);
            var result = await shell.RunAsync(new ShellCommand(command.Script, command.RunAs, Environment()), echo ? onLine : activity.TouchLine, cancellationToken).ConfigureAwait(false);
            activity.Touch();
            return result;
        }

        /// <summary>
        /// The step's clean-up after a failure or a cancel, each command on its own node with a minute of its own: it
        /// reports what it did and never fails the job a second time.
        /// </summary>
        public async Task RescueAsync()
        {
            foreach (var command in step.OnFailure)
            {
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                    var result = await Shell(command.Node).RunAsync(new ShellCommand(command.Script, command.RunAs, Environment()),
                        line => output.Append(line), timeout.Token).ConfigureAwait(false);
                    if (!result.Succeeded)
                    {
                        output.Append($"Clean-up on {command.Node} ended with exit code {result.ExitCode}.");
                    }
                }
                catch (Exception ex) when (ex is not StoreUnavailableException)
                {
                    output.Append($"Clean-up on {command.Node} could not run: {context.Redactor.Redact(ex.Message)}");
                }
            }
        }

        public async Task<bool> EnsureFileAsync(PlanFile file)
        {
            var content = Fill(file.Content);
            var desiredHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));
            var desiredMode = file.Mode.TrimStart('0');
            var shell = Shell(file.Node);
            var path = Quote(file.Path);
            var state = await shell.RunAsync(new ShellCommand(
                $"if [ -f {path} ]; then sha256sum {path} | cut -c1-64; stat -c %a {path}; else echo absent; fi", file.RunAs),
                null, cancellationToken).ConfigureAwait(false);
            activity.Touch();
            if (!state.Succeeded)
            {
                throw new StepFailedException(state.ExitCode, $"Could not read {file.Path}: {context.Redactor.Redact(state.LastLine)}");
            }

            var lines = state.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (lines.Length == 2 && lines[0] == desiredHash && lines[1] == desiredMode)
            {
                output.Append($"{file.Path}: in place.");
                return false;
            }

            var write = await shell.RunAsync(new ShellCommand(
                $"""
                p={path}
                {(file.CreateParent ? "mkdir -p -m 0755 \"$(dirname \"$p\")\"" : "")}
                tmp=$(mktemp "$(dirname "$p")/.pgpanel.XXXXXX")
                trap 'rm -f "$tmp"' EXIT
                cat > "$tmp"
                chmod {file.Mode} "$tmp"
                mv -f "$tmp" "$p"
                trap - EXIT
                """, file.RunAs, StandardInput: content), null, cancellationToken).ConfigureAwait(false);
            activity.Touch();
            if (!write.Succeeded)
            {
                throw new StepFailedException(write.ExitCode, $"Could not write {file.Path}: {context.Redactor.Redact(write.LastLine)}");
            }

            output.Append(lines.Length == 1 ? $"{file.Path}: created." : $"{file.Path}: rewritten (content or mode differed).");
            return true;
        }

        private IHostShell Shell(string node) =>
            context.Shells.TryGetValue(node, out var shell) ? shell : throw new InvalidOperationException($"No connection to node {node}.");

        private Dictionary<string, string> Environment()
        {
            var environment = new Dictionary<string, string>(Captured, StringComparer.Ordinal);
            foreach (var name in step.Secrets)
            {
                if (context.Secrets.TryGetValue(name, out var secret))
                {
                    environment[name] = secret.Reveal();
                }
            }

            return environment;
        }

        private string Fill(string content)
        {
            foreach (var name in step.Secrets)
            {
                if (context.Secrets.TryGetValue(name, out var secret))
                {
                    content = content.Replace(PlanFile.SecretPlaceholder(name), secret.Reveal(), StringComparison.Ordinal);
                }
            }

            return content;
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
