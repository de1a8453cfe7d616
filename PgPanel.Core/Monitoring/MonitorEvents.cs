using System.Collections.Concurrent;

namespace PgPanel.Core.Monitoring;

/// <summary>Live samples and alerts for pages and exporters: subscribe, get an <see cref="IDisposable"/>, dispose to leave.</summary>
public sealed class MonitorEvents
{
    private readonly ConcurrentDictionary<Guid, (Action<ClusterSample>? Sample, Action<AlertEvent>? Alert)> _subscribers = new();

    public IDisposable Subscribe(Action<ClusterSample>? onSample = null, Action<AlertEvent>? onAlert = null)
    {
        var id = Guid.NewGuid();
        _subscribers[id] = (onSample, onAlert);
        return new Subscription(() => _subscribers.TryRemove(id, out _));
    }

    internal void Publish(ClusterSample sample)
    {
        foreach (var (onSample, _) in _subscribers.Values)
        {
            onSample?.Invoke(sample);
        }
    }

    internal void Publish(AlertEvent alert)
    {
        foreach (var (_, onAlert) in _subscribers.Values)
        {
            onAlert?.Invoke(alert);
        }
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }
}
