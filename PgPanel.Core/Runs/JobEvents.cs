using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PgPanel.Core.Records;

namespace PgPanel.Core.Runs;

/// <summary>
/// Live job events for pages and streams: subscribe to one job (or to all), get an <see cref="IDisposable"/>, dispose to
/// leave. A subscriber runs on the publisher's thread, so each is isolated: one that throws is logged and the runner
/// and the other subscribers go on.
/// </summary>
public sealed partial class JobEvents(ILogger<JobEvents>? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger<JobEvents>.Instance;
    private readonly ConcurrentDictionary<Guid, (Guid? JobId, Action<JobEvent> OnEvent)> _subscribers = new();
    private readonly ConcurrentDictionary<Guid, long> _sequences = new();

    /// <summary>Every job's events.</summary>
    public IDisposable Subscribe(Action<JobEvent> onEvent) => Add(null, onEvent);

    /// <summary>The events of one job only.</summary>
    public IDisposable Subscribe(Guid jobId, Action<JobEvent> onEvent) => Add(jobId, onEvent);

    private Subscription Add(Guid? jobId, Action<JobEvent> onEvent)
    {
        ArgumentNullException.ThrowIfNull(onEvent);
        var id = Guid.NewGuid();
        _subscribers[id] = (jobId, onEvent);
        return new Subscription(() => _subscribers.TryRemove(id, out _));
    }

    internal void Publish(Guid jobId, JobEventKind kind, int? stepIndex = null, StepStatus? stepStatus = null,
        JobStatus? jobStatus = null, string? line = null, int? progress = null)
    {
        var sequence = _sequences.AddOrUpdate(jobId, 1, (_, s) => s + 1);
        var evt = new JobEvent(jobId, sequence, kind, stepIndex, stepStatus, jobStatus, line, progress);
        foreach (var (subscribedTo, onEvent) in _subscribers.Values)
        {
            if (subscribedTo is { } only && only != jobId)
            {
                continue;
            }

            try
            {
                onEvent(evt);
            }
            catch (Exception ex)
            {
                // A page's handler is never the job's problem.
                Log.SubscriberFailed(_logger, jobId, kind, ex);
            }
        }
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "A subscriber to job {JobId}'s events failed on {Kind}; the job goes on")]
        public static partial void SubscriberFailed(ILogger logger, Guid jobId, JobEventKind kind, Exception exception);
    }
}
