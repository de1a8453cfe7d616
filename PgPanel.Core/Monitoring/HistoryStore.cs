using Microsoft.EntityFrameworkCore;
using PgPanel.Core.Persistence;
using PgPanel.Core.Records;

namespace PgPanel.Core.Monitoring;

/// <summary>
/// The long history in SQLite: each standby downsampled to one point a minute (worst state, largest lag), alert
/// events, and their retention. Only the monitor writes here.
/// </summary>
public sealed class HistoryStore(IDbContextFactory<PanelDbContext> contexts)
{
    private readonly Dictionary<(string Cluster, string Node), ReplicationPoint> _open = [];
    private readonly Lock _gate = new();

    /// <summary>Folds a sample into the open minute of each standby; returns the minutes that closed.</summary>
    public IReadOnlyList<ReplicationPoint> Accumulate(ClusterSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var minute = new DateTimeOffset(sample.SampledAt.UtcTicks - sample.SampledAt.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
        var closed = new List<ReplicationPoint>();
        lock (_gate)
        {
            foreach (var standby in sample.Standbys)
            {
                var key = (sample.ClusterName, standby.Node);
                if (_open.TryGetValue(key, out var point) && point.MinuteStart != minute)
                {
                    closed.Add(point);
                    point = null;
                }

                point ??= new ReplicationPoint { ClusterName = sample.ClusterName, Node = standby.Node, MinuteStart = minute, WorstState = StandbyState.Streaming };
                point.Samples++;
                point.MaxReplayLagBytes = Max(point.MaxReplayLagBytes, standby.ReplayLagBytes ?? standby.ReceiveReplayGapBytes);
                point.MaxReplayDelaySeconds = Max(point.MaxReplayDelaySeconds, standby.ReplayDelaySeconds);
                point.WorstState = (StandbyState)Math.Max((int)point.WorstState, (int)standby.State);
                _open[key] = point;
            }
        }

        return closed;
    }

    private readonly System.Collections.Concurrent.ConcurrentQueue<object> _pending = new();

    /// <summary>Queues closed minutes and alert events; <see cref="FlushAsync"/> writes them in one transaction.</summary>
    public void Enqueue(IEnumerable<ReplicationPoint> points, IEnumerable<AlertEvent> alerts)
    {
        foreach (var point in points)
        {
            _pending.Enqueue(point);
        }

        foreach (var alert in alerts)
        {
            _pending.Enqueue(alert);
        }
    }

    /// <summary>Writes everything queued, once per interval rather than once per cluster.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_pending.IsEmpty)
        {
            return;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        while (_pending.TryDequeue(out var item))
        {
            if (item is ReplicationPoint point)
            {
                db.ReplicationPoints.Add(point);
            }
            else if (item is AlertEvent alert)
            {
                db.AlertEvents.Add(alert);
            }
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ReplicationPoint>> PointsAsync(string clusterName, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.ReplicationPoints.AsNoTracking()
            .Where(p => p.ClusterName == clusterName && p.MinuteStart >= from && p.MinuteStart <= to)
            .OrderBy(p => p.MinuteStart).ThenBy(p => p.Node).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<AlertEvent>> AlertsAsync(string clusterName, int take, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.AlertEvents.AsNoTracking().Where(a => a.ClusterName == clusterName)
            .OrderByDescending(a => a.At).Take(take).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes history older than the retention.</summary>
    public async Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var points = await db.ReplicationPoints.Where(p => p.MinuteStart < before).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        var alerts = await db.AlertEvents.Where(a => a.At < before).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        return points + alerts;
    }

    private static long? Max(long? a, long? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);

    private static double? Max(double? a, double? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);
}
