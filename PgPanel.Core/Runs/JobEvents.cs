using System.Collections.Concurrent;

namespace PgPanel.Core.Runs;

/// <summary>Live job events for pages and streams: subscribe, get an <see cref="IDisposable"/>, dispose to leave.</summary>
public sealed class JobEvents
{
    private readonly ConcurrentDictionary<Guid, Action<JobEvent>> _subscribers = new();
    private readonly ConcurrentDictionary<Guid, long> _sequences = new();

    public IDisposable Subscribe(Action<JobEvent> onEvent)
    {
        var id = Guid.NewGuid();
        _subscribers[id] = onEvent;
        return new Subscription(() => _subscribers.TryRemove(id, out _));
    }

    internal void Publish(Guid jobId, JobEventKind kind, int? stepIndex = null, StepStatus? stepStatus = null,
        JobStatus? jobStatus = null, string? line = null, int? progress = null)
    {
        var sequence = _sequences.AddOrUpdate(jobId, 1, (_, s) => s + 1);
        var evt = new JobEvent(jobId, sequence, kind, stepIndex, stepStatus, jobStatus, line, progress);
        foreach (var subscriber in _subscribers.Values)
        {
            subscriber(evt);
        }
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }
}
