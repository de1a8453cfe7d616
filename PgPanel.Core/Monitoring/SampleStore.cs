using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace PgPanel.Core.Monitoring;

/// <summary>Recent samples in memory, per cluster: the latest for the live pages, the last minutes for the live charts.</summary>
public sealed class SampleStore(IOptions<MonitorOptions> options)
{
    private readonly ConcurrentDictionary<string, Ring> _rings = new(StringComparer.Ordinal);

    private int Capacity => (int)Math.Clamp(options.Value.RecentMinutes * 60 / options.Value.Interval.TotalSeconds, 10, 100_000);

    public void Add(ClusterSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        _rings.GetOrAdd(sample.ClusterName, _ => new Ring(Capacity)).Add(sample);
    }

    public ClusterSample? Latest(string clusterName) => _rings.TryGetValue(clusterName, out var ring) ? ring.Latest : null;

    public IReadOnlyList<ClusterSample> Range(string clusterName, DateTimeOffset from, DateTimeOffset to) =>
        _rings.TryGetValue(clusterName, out var ring) ? ring.Where(s => s.SampledAt >= from && s.SampledAt <= to) : [];

    /// <summary>The time of the oldest sample kept for a cluster.</summary>
    public DateTimeOffset? OldestAt(string clusterName) => _rings.TryGetValue(clusterName, out var ring) ? ring.Oldest?.SampledAt : null;

    public void Forget(string clusterName) => _rings.TryRemove(clusterName, out _);

    private sealed class Ring(int capacity)
    {
        private readonly ClusterSample?[] _items = new ClusterSample?[capacity];
        private readonly Lock _gate = new();
        private int _next;
        private int _count;

        public ClusterSample? Latest
        {
            get
            {
                lock (_gate)
                {
                    return _count == 0 ? null : _items[(_next - 1 + _items.Length) % _items.Length];
                }
            }
        }

        public ClusterSample? Oldest
        {
            get
            {
                lock (_gate)
                {
                    return _count == 0 ? null : _items[(_next - _count + _items.Length) % _items.Length];
                }
            }
        }

        public void Add(ClusterSample sample)
        {
            lock (_gate)
            {
                _items[_next] = sample;
                _next = (_next + 1) % _items.Length;
                _count = Math.Min(_count + 1, _items.Length);
            }
        }

        public List<ClusterSample> Where(Func<ClusterSample, bool> predicate)
        {
            lock (_gate)
            {
                var result = new List<ClusterSample>(_count);
                for (var i = 0; i < _count; i++)
                {
                    var item = _items[(_next - _count + i + _items.Length) % _items.Length]!;
                    if (predicate(item))
                    {
                        result.Add(item);
                    }
                }

                return result;
            }
        }
    }
}
