using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using PgPanel.Core.Hosts;
using PgPanel.Core.Planning;
using PgPanel.Core.Records;
using static PgPanel.Core.Security.ShellQuote;

namespace PgPanel.Core.Runs;

/// <summary>
/// A plan's step on its hosts (pre-flight, change, handler, verification), under the step contract the exported
/// script keeps too: a check exits 0 when the host is as wanted, 1 when it differs, anything else fails; a change runs
/// only on a difference and is checked again after. Its description is the exported script's text of the step.
/// </summary>
public sealed partial class PlanStepAction(RunContext context, PlanStep step, IReadOnlyList<JobStep> jobSteps) : IStepAction
{
    private readonly Dictionary<string, string> _captured = new(StringComparer.Ordinal);

    public string Where => context.Shells.TryGetValue(step.Node, out var shell) ? shell.Description : step.Node;

    public bool WatchIdle => true;

    public string Describe() => DescribeStep(context.Plan, step);

    /// <summary>A plan step's commands and files as the exported script runs them (secrets by name only).</summary>
    public static string DescribeStep(Plan plan, PlanStep step) => ScriptExport.RenderStep(plan, step);

    public async Task<StepOutcome> RunAsync(StepRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var outcome = await ExecuteAsync(run, cancellationToken).ConfigureAwait(false);
        if (step.ReportsProgress && outcome.Status == StepStatus.Changed)
        {
            run.ReportProgress(100);
        }

        return outcome;
    }

    /// <summary>
    /// The Review's pre-flight: a pre-flight step through the same path a job runs it (its guard, then its check under
    /// the step contract), with nothing applied — a pre-flight step applies nothing — and nothing recorded or published.
    /// </summary>
    public async Task<PreflightResult> PreflightAsync(CancellationToken cancellationToken)
    {
        if (step.Kind != StepKind.Preflight)
        {
            throw new InvalidOperationException($"Step {step.Id} is not a pre-flight step: it may change a host, so it runs only in a job.");
        }

        var run = StepRun.Unrecorded(new JobStep { StepId = step.Id, Title = step.Title, Node = step.Node, Kind = step.Kind }, context.Redactor);
        StepOutcome outcome;
        try
        {
            outcome = await ExecuteAsync(run, cancellationToken).ConfigureAwait(false);
        }
        catch (StepFailedException failure)
        {
            run.Write(failure.Message);
            outcome = new StepOutcome(StepStatus.Failed, failure.ExitCode);
        }

        return new PreflightResult(step.Id, step.Title, step.Node, outcome.Status != StepStatus.Failed, run.Text.Trim());
    }

    /// <summary>
    /// The step's clean-up after a failure or a cancel, each command on its own node with a minute of its own: it
    /// reports what it did and never fails the job a second time.
    /// </summary>
    public async Task RescueAsync(StepRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        foreach (var command in step.OnFailure)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                var result = await Shell(command.Node).RunAsync(new ShellCommand(command.Script, command.RunAs, Environment()),
                    run.Write, timeout.Token).ConfigureAwait(false);
                if (!result.Succeeded)
                {
                    run.Write($"Clean-up on {command.Node} ended with exit code {result.ExitCode}.");
                }
            }
            catch (Exception ex) when (ex is not StoreUnavailableException)
            {
                run.Write($"Clean-up on {command.Node} could not run: {ex.Message}");
            }
        }
    }

    private async Task<StepOutcome> ExecuteAsync(StepRun run, CancellationToken cancellationToken)
    {
        if (step.Unless is not null)
        {
            var unless = await CommandAsync(run, step.Unless, echo: false, cancellationToken).ConfigureAwait(false);
            if (unless.ExitCode == 0)
            {
                run.Write("Already in the desired state.");
                return new StepOutcome(StepStatus.Unchanged, 0);
            }
        }

        switch (step.Kind)
        {
            case StepKind.Preflight:
            {
                var result = await CommandAsync(run, step.Check!, echo: true, cancellationToken).ConfigureAwait(false);
                return result.ExitCode == 0
                    ? new StepOutcome(StepStatus.Unchanged, 0)
                    : new StepOutcome(StepStatus.Failed, result.ExitCode);
            }

            case StepKind.Verify:
            {
                foreach (var command in step.Apply)
                {
                    var result = await CommandAsync(run, command, echo: true, cancellationToken).ConfigureAwait(false);
                    if (result.ExitCode != 0)
                    {
                        return new StepOutcome(StepStatus.Failed, result.ExitCode);
                    }

                    if (command.CaptureAs is not null)
                    {
                        _captured[command.CaptureAs] = result.LastLine;
                    }
                }

                return new StepOutcome(StepStatus.Unchanged, 0);
            }

            case StepKind.Handler:
            {
                var triggers = jobSteps.Where(s => s.Status == StepStatus.Changed).Select(s => s.StepId).ToHashSet(StringComparer.Ordinal);
                var notifiers = context.Plan.Steps.Where(s => s.Notifies.Contains(step.Id) && triggers.Contains(s.Id)).Select(s => s.Id).ToList();
                if (notifiers.Count == 0)
                {
                    run.Write("Not notified: nothing it applies changed in this job.");
                    return new StepOutcome(StepStatus.Unchanged, 0);
                }

                run.Write($"Notified by {string.Join(", ", notifiers)}.");
                return await CheckThenApplyAsync(run, filesChanged: false, cancellationToken).ConfigureAwait(false);
            }

            default:
            {
                var filesChanged = false;
                foreach (var file in step.Files)
                {
                    filesChanged |= await EnsureFileAsync(run, file, cancellationToken).ConfigureAwait(false);
                }

                return await CheckThenApplyAsync(run, filesChanged, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<StepOutcome> CheckThenApplyAsync(StepRun run, bool filesChanged, CancellationToken cancellationToken)
    {
        bool needApply;
        if (step.Check is not null)
        {
            var check = await CommandAsync(run, step.Check, echo: true, cancellationToken).ConfigureAwait(false);
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
            var result = await CommandAsync(run, command, echo: true, cancellationToken).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                throw new StepFailedException(result.ExitCode, $"The change failed with exit code {result.ExitCode}.");
            }
        }

        if (step.Kind == StepKind.Change && step.Check is not null)
        {
            var after = await CommandAsync(run, step.Check, echo: false, cancellationToken).ConfigureAwait(false);
            if (after.ExitCode != 0)
            {
                throw new StepFailedException(after.ExitCode, "The change ran, but the check still finds a difference.");
            }
        }

        return new StepOutcome(StepStatus.Changed, 0);
    }

    private async Task<ShellResult> CommandAsync(StepRun run, PlanCommand command, bool echo, CancellationToken cancellationToken)
    {
        var result = await Shell(command.Node).RunAsync(new ShellCommand(command.Script, command.RunAs, Environment()),
            echo ? line => OnLine(run, line) : _ => run.Touch(), cancellationToken).ConfigureAwait(false);
        run.Touch();
        return result;
    }

    private void OnLine(StepRun run, string line)
    {
        run.Write(line);
        if (step.ReportsProgress && ProgressRegex().Match(line) is { Success: true } match &&
            int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var percent))
        {
            run.ReportProgress(percent);
        }
    }

    private async Task<bool> EnsureFileAsync(StepRun run, PlanFile file, CancellationToken cancellationToken)
    {
        var content = Fill(file.Content);
        var desiredHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));
        var desiredMode = file.Mode.TrimStart('0');
        var shell = Shell(file.Node);
        var path = Quote(file.Path);
        var state = await shell.RunAsync(new ShellCommand(
            $"if [ -f {path} ]; then sha256sum {path} | cut -c1-64; stat -c %a {path}; else echo absent; fi", file.RunAs),
            null, cancellationToken).ConfigureAwait(false);
        run.Touch();
        if (!state.Succeeded)
        {
            throw new StepFailedException(state.ExitCode, $"Could not read {file.Path}: {state.LastLine}");
        }

        var lines = state.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length == 2 && lines[0] == desiredHash && lines[1] == desiredMode)
        {
            run.Write($"{file.Path}: in place.");
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
        run.Touch();
        if (!write.Succeeded)
        {
            throw new StepFailedException(write.ExitCode, $"Could not write {file.Path}: {write.LastLine}");
        }

        run.Write(lines.Length == 1 ? $"{file.Path}: created." : $"{file.Path}: rewritten (content or mode differed).");
        return true;
    }

    private IHostShell Shell(string node) =>
        context.Shells.TryGetValue(node, out var shell) ? shell : throw new InvalidOperationException($"No connection to node {node}.");

    private Dictionary<string, string> Environment()
    {
        var environment = new Dictionary<string, string>(_captured, StringComparer.Ordinal);
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

    [GeneratedRegex(@"\((\d{1,3})%\)")]
    private static partial Regex ProgressRegex();
}
