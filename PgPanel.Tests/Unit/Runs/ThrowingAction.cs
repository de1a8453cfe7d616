using PgPanel.Core.Records;
using PgPanel.Core.Runs;

namespace PgPanel.Tests.Unit.Runs;

/// <summary>A step action that meets the chosen fault (null: none) — the step-injection point of the engine's tests.</summary>
internal sealed class ThrowingAction(string? fault, bool rescueThrows = false, bool watchIdle = false) : IStepAction
{
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Unexpected exception types, each thrown from inside a step with the secret in its message.</summary>
    public static readonly IReadOnlyDictionary<string, Func<Exception>> Faults = new Dictionary<string, Func<Exception>>
    {
        ["null-reference"] = () => new NullReferenceException("boom at s3cret-Value-9"),
        ["index"] = () => new IndexOutOfRangeException("boom at the index"),
        ["aggregate"] = () => new AggregateException("boom at once", new IOException("a disk said no")),
        ["disposed"] = () => new ObjectDisposedException("the shell", "boom at a closed shell"),
        ["task-cancelled-not-by-the-job"] = () => new TaskCanceledException("boom at an HTTP timeout"),
        ["key-not-found"] = () => new KeyNotFoundException("boom at a lookup"),
        ["custom"] = () => new CustomFault("boom at a type nobody catches"),
    };

    public string Where => "the test host";

    public bool WatchIdle => watchIdle;

    public string Describe() => $"inject {fault ?? "nothing"}";

    public async Task<StepOutcome> RunAsync(StepRun run, CancellationToken cancellationToken)
    {
        switch (fault)
        {
            case null:
                run.Write("did the work");
                return new StepOutcome(StepStatus.Changed, 0);
            case "expected":
                throw new StepFailedException(3, "the check said no");
            case "hang":
                await Task.Delay(Timeout.Infinite, cancellationToken);
                return new StepOutcome(StepStatus.Changed, 0);
            case "slow":
                await Task.Delay(TimeSpan.FromMilliseconds(2500), cancellationToken);
                return new StepOutcome(StepStatus.Changed, 0);
            case "talk":
                run.Write("the password is s3cret-Value-9");
                await _released.Task.WaitAsync(cancellationToken);
                return new StepOutcome(StepStatus.Changed, 0);
            default:
                await Task.Yield();
                throw Faults[fault]();
        }
    }

    public void Release() => _released.TrySetResult();

    public Task RescueAsync(StepRun run)
    {
        if (rescueThrows)
        {
            throw new InvalidOperationException("the clean-up broke too");
        }

        run.Write("rescued after the failure");
        return Task.CompletedTask;
    }

    private sealed class CustomFault(string message) : Exception(message);
}
