using System.Text;
using PgPanel.Core.Security;

namespace PgPanel.Core.Runs;

/// <summary>
/// The recorded life of one job step that is not a plan's shell step (a cloud call, the release, the connect step):
/// started (saved, published), its output lines (redacted, kept, published as they come), finished (saved, published).
/// One copy of that cycle, so every such step reports its lines live and ends the same way.
/// </summary>
public sealed class StepRecording
{
    private readonly JobStore _jobs;
    private readonly JobEvents _events;
    private readonly TimeProvider _time;
    private readonly Guid _jobId;
    private readonly Redactor _redactor;
    private readonly StringBuilder _output;

    private StepRecording(JobStore jobs, JobEvents events, TimeProvider time, Guid jobId, JobStep step, Redactor redactor, string earlierOutput)
    {
        (_jobs, _events, _time, _jobId, Step, _redactor) = (jobs, events, time, jobId, step, redactor);
        _output = new StringBuilder(earlierOutput);
    }

    public JobStep Step { get; }

    /// <summary>Marks the step running, saves and announces it. <paramref name="keepOutput"/>: a retried step keeps what its earlier attempts printed.</summary>
    public static async Task<StepRecording> StartAsync(JobStore jobs, JobEvents events, TimeProvider time, Guid jobId, JobStep step, Redactor redactor, bool keepOutput)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(redactor);
        var recording = new StepRecording(jobs, events, time, jobId, step, redactor, keepOutput ? step.Output : "");
        step.Status = StepStatus.Running;
        step.StartedAt = time.GetUtcNow();
        step.FinishedAt = null;
        step.ExitCode = null;
        step.Output = recording._output.ToString();
        await jobs.SaveStepAsync(step, CancellationToken.None).ConfigureAwait(false);
        events.Publish(jobId, JobEventKind.StepStarted, step.Index, StepStatus.Running);
        return recording;
    }

    /// <summary>One line (or several) of output, redacted before it is kept or shown.</summary>
    public void Write(string line)
    {
        var clean = _redactor.Redact(line);
        lock (_output)
        {
            _output.Append(clean).Append('\n');
        }

        _events.Publish(_jobId, JobEventKind.StepOutput, Step.Index, line: clean);
    }

    /// <summary>Ends the step with its status and exit code; saved even when the job was cancelled.</summary>
    public async Task FinishAsync(StepStatus status, int? exitCode)
    {
        Step.Status = status;
        Step.ExitCode = exitCode;
        lock (_output)
        {
            Step.Output = _output.ToString();
        }

        Step.FinishedAt = _time.GetUtcNow();
        await _jobs.SaveStepAsync(Step, CancellationToken.None).ConfigureAwait(false);
        _events.Publish(_jobId, JobEventKind.StepFinished, Step.Index, status);
    }
}
