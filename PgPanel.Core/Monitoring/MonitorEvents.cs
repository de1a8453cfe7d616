using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PgPanel.Core.Records;

namespace PgPanel.Core.Monitoring;

/// <summary>
/// Live samples and alerts for pages and exporters: subscribe to one cluster (or to all), get an <see cref="IDisposable"/>,
/// dispose to leave. Subscribers run on the monitor's thread, each isolated: one that throws is logged and the monitor
/// and the other subscribers go on.
/// </summary>
public sealed partial class MonitorEvents(ILogger<MonitorEvents>? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger<MonitorEvents>.Instance;
    private readonly ConcurrentDictionary<Guid, Subscriber> _subscribers = new();

    public IDisposable Subscribe(Action<ClusterSample>? onSample = null, Action<AlertEvent>? onAlert = null, string? clusterName = null)
    {
        var id = Guid.NewGuid();
        _subscribers[id] = new Subscriber(clusterName, onSample, onAlert);
        return new Subscription(() => _subscribers.TryRemove(id, out _));
    }

    internal void Publish(ClusterSample sample)
    {
        foreach (var subscriber in _subscribers.Values)
        {
            if (subscriber.OnSample is { } onSample && subscriber.Wants(sample.ClusterName))
            {
                Deliver(() => onSample(sample), sample.ClusterName, "sample");
            }
        }
    }

    internal void Publish(AlertEvent alert)
    {
        foreach (var subscriber in _subscribers.Values)
        {
            if (subscriber.OnAlert is { } onAlert && subscriber.Wants(alert.ClusterName))
            {
                Deliver(() => onAlert(alert), alert.ClusterName, "alert");
            }
        }
    }

    private void Deliver(Action deliver, string clusterName, string what)
    {
        try
        {
            deliver();
        }
        catch (Exception ex)
        {
            Log.SubscriberFailed(_logger, what, clusterName, ex);
        }
    }

    private sealed record Subscriber(string? ClusterName, Action<ClusterSample>? OnSample, Action<AlertEvent>? OnAlert)
    {
        public bool Wants(string clusterName) => ClusterName is null || ClusterName == clusterName;
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "A subscriber to {What}s of cluster {Cluster} failed; the monitor goes on")]
        public static partial void SubscriberFailed(ILogger logger, string what, string cluster, Exception exception);
    }
}
