using System.Text;
using PgPanel.Core.Records;
using PgPanel.Core.Security;

namespace PgPanel.Core.Runs;

/// <summary>
/// One run of one job step as its <see cref="IStepAction"/> sees it: the place to write output lines (redacted before
/// they are kept or shown), report progress and show a sign of life. Thread-safe: SSH streams write from their own threads.
/// </summary>
public sealed class StepRun
{
    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();
    private readonly Lock _progressGate = new();
    private readonly JobEvents? _events;
    private readonly TimeProvider _time;
    private long _lastActivity;
    private int _lastProgress = -1;

    internal StepRun(Guid jobId, JobStep step, StepStatus previousStatus, Redactor redactor, JobEvents? events, TimeProvider time)
    {
        (JobId, Step, PreviousStatus, Redactor, _events, _time) = (jobId, step, previousStatus, redactor, events, time);
        _lastActivity = time.GetTimestamp();
        if (step.Output.Length > 0)
        {
            // A resumed step keeps what its earlier attempts printed.
            _output.Append(step.Output);
            if (_output[^1] != '\n')
            {
                _output.Append('\n');
            }
        }
    }

    /// <summary>
    /// A run of a step outside any job (the Review's pre-flight): its output is redacted and kept for the caller only —
    /// not recorded in the job history and not published.
    /// </summary>
    internal static StepRun Unrecorded(JobStep step, Redactor redactor) =>
        new(Guid.Empty, step, StepStatus.Pending, redactor, events: null, TimeProvider.System);

    public Guid JobId { get; }

    /// <summary>The step's record (the engine saves it).</summary>
    public JobStep Step { get; }

    /// <summary>The step's status before this attempt (Changed when an earlier attempt already made the change).</summary>
    public StepStatus PreviousStatus { get; }

    public Redactor Redactor { get; }

    /// <summary>Grows with every line; the engine writes the output when it moved.</summary>
    internal long Version { get; private set; }

    internal string Text
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    internal TimeSpan SinceActivity => _time.GetElapsedTime(Interlocked.Read(ref _lastActivity));

    /// <summary>A line (or several) of output: redacted, kept (bounded like the store), shown live, and a sign of life.</summary>
    public void Write(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        Touch();
        var redacted = Redactor.Redact(line);
        lock (_gate)
        {
            _output.Append(redacted).Append('\n');
            if (_output.Length > JobStore.MaxOutputChars * 2)
            {
                _output.Remove(0, _output.Length - JobStore.MaxOutputChars);
            }

            Version++;
        }

        _events?.Publish(JobId, JobEventKind.StepOutput, Step.Index, line: redacted);
    }

    /// <summary>
    /// A percentage of the step's work (a clone's progress). It only grows within an attempt: a report at or below the
    /// last one is a sign of life only, so two threads reporting at once cannot publish their percentages out of order.
    /// </summary>
    public void ReportProgress(int percent)
    {
        Touch();
        var clamped = Math.Clamp(percent, 0, 100);
        lock (_progressGate)
        {
            if (clamped <= _lastProgress)
            {
                return;
            }

            // Published under the lock: the percentages leave in the order they were accepted.
            _lastProgress = clamped;
            Step.Progress = clamped;
            _events?.Publish(JobId, JobEventKind.StepProgress, Step.Index, progress: clamped);
        }
    }

    /// <summary>A sign of life that is not shown: a command finished, a guard's output, a poll answered.</summary>
    public void Touch() => Interlocked.Exchange(ref _lastActivity, _time.GetTimestamp());
}
