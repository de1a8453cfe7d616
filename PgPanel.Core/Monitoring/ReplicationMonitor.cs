using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace PgPanel.Core.Monitoring;

/// <summary>
/// Samples every node of every watched cluster once per interval — one statement, one round trip per node — and
/// turns the readings into samples, health, history and alerts. Nothing a node does makes it stop.
/// </summary>
public sealed partial class ReplicationMonitor(
    MonitorTargetSource targetSource, NodeSources sources, SampleStore samples, HistoryStore history, AlertRules alerts,
    AlertNotifier notifier, MonitorEvents events, Settings.SettingsStore settings, TimeProvider time, ILogger<ReplicationMonitor> logger)
    : BackgroundService
{
    /// <summary>How often the clusters to watch are read again from the store (and their secrets unsealed afresh).</summary>
    public static readonly TimeSpan TargetRefresh = TimeSpan.FromSeconds(5);
    private IReadOnlyList<MonitorTarget> _targets = [];
    private DateTimeOffset _targetsLoadedAt = DateTimeOffset.MinValue;
    private DateTimeOffset _lastPurge = DateTimeOffset.MinValue;
    private long _roundTrips;

    /// <summary>Statements sent to nodes since start (the benchmark checks it is one per node per interval).</summary>
    public long RoundTrips => Interlocked.Read(ref _roundTrips);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!settings.Monitor.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(settings.Monitor.Interval, time);
        try
        {
            do
            {
                await TickAsync(stoppingToken).ConfigureAwait(false);
                if (timer.Period != settings.Monitor.Interval)
                {
                    timer.Period = settings.Monitor.Interval;
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    /// <summary>One interval: every cluster sampled concurrently.</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        try
        {
            if (now - _targetsLoadedAt >= TargetRefresh)
            {
                var loaded = await targetSource.LoadAsync(cancellationToken).ConfigureAwait(false);
                foreach (var gone in _targets.Where(t => loaded.All(l => l.ClusterName != t.ClusterName)))
                {
                    samples.Forget(gone.ClusterName);
                    alerts.Forget(gone.ClusterName);
                }

                _targets = loaded;
                _targetsLoadedAt = now;
                await sources.RetainOnlyAsync(_targets).ConfigureAwait(false);
            }

            await SampleAllAsync(_targets, cancellationToken).ConfigureAwait(false);

            if (now - _lastPurge > TimeSpan.FromHours(1))
            {
                _lastPurge = now;
                await history.PurgeAsync(now.AddDays(-settings.Monitor.RetentionDays), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The monitor outlives any failure of its own store or of one tick.
            Log.TickFailed(logger, ex);
        }
    }

    /// <summary>
    /// Samples every cluster once, their starts spread over the first 80 % of an interval, so hundreds of nodes do not
    /// all hit their servers (and this process) in the same millisecond.
    /// </summary>
    public async Task<IReadOnlyList<ClusterSample>> SampleAllAsync(IReadOnlyList<MonitorTarget> targets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var spread = settings.Monitor.Interval * 0.8;
        var tasks = targets.Select(async (target, i) =>
        {
            var offset = targets.Count <= 1 ? TimeSpan.Zero : spread * i / targets.Count;
            if (offset > TimeSpan.Zero)
            {
                await Task.Delay(offset, time, cancellationToken).ConfigureAwait(false);
            }

            return await SampleClusterAsync(target, cancellationToken).ConfigureAwait(false);
        });
        var samples = await Task.WhenAll(tasks).ConfigureAwait(false);
        await history.FlushAsync(cancellationToken).ConfigureAwait(false);
        return samples;
    }

    /// <summary>Samples the nodes of one cluster and records the result.</summary>
    public async Task<ClusterSample> SampleClusterAsync(MonitorTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var query = ReplicationQueries.For(target.Version);
        var sampledAt = time.GetUtcNow();
        var results = await Task.WhenAll(target.Nodes.Select(n => SampleNodeAsync(target, n, query, cancellationToken))).ConfigureAwait(false);
        var byNode = target.Nodes.Select((n, i) => (n.Id, results[i])).ToDictionary(x => x.Id, x => x.Item2, StringComparer.Ordinal);
        var sample = HealthRules.Evaluate(target, byNode, settings.Monitor, sampledAt, samples.Latest(target.ClusterName));
        samples.Add(sample);
        var closed = history.Accumulate(sample);
        var raised = alerts.Evaluate(sample, settings.Monitor);
        history.Enqueue(closed, raised);
        events.Publish(sample);
        foreach (var alert in raised)
        {
            events.Publish(alert);
        }

        if (raised.Count > 0)
        {
            _ = notifier.NotifyAsync(raised, CancellationToken.None);
        }

        return sample;
    }

    private async Task<NodeResult> SampleNodeAsync(MonitorTarget target, MonitorNode node, string query, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        try
        {
            await using var connection = await sources.OpenConnectionAsync(target, node, cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(query, connection);
            Interlocked.Increment(ref _roundTrips);
            var json = (string?)await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            var reading = JsonSerializer.Deserialize(json ?? "null", MonitorJsonContext.Default.NodeReading)
                ?? throw new JsonException("The node answered no document.");
            return new NodeResult(reading, null, stopwatch.Elapsed.TotalMilliseconds);
        }
        catch (PostgresException ex)
        {
            sources.Failed(target, node);
            return new NodeResult(null, $"{ex.SqlState}: {ex.MessageText}", stopwatch.Elapsed.TotalMilliseconds);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or JsonException or System.Net.Sockets.SocketException or IOException
                                       || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            sources.Failed(target, node);
            return new NodeResult(null, ex.InnerException is { } inner && ex is NpgsqlException ? $"{ex.Message} ({inner.Message})" : ex.Message,
                stopwatch.Elapsed.TotalMilliseconds);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3001, Level = LogLevel.Error, Message = "A monitoring interval failed; the next one goes on")]
        public static partial void TickFailed(ILogger logger, Exception exception);
    }
}
