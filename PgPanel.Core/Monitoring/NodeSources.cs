using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;
using Npgsql;
using PgPanel.Core.Specs;

namespace PgPanel.Core.Monitoring;

/// <summary>
/// One <see cref="NpgsqlDataSource"/> per monitored node, built once and kept while the node's host, port and the
/// password's <em>value</em> stay the same (targets are reloaded every few seconds and each reload unseals a new
/// <see cref="Security.Secret"/> instance: comparing instances would rebuild every pool each time). Creation is
/// race-free: concurrent callers for one node get the same source.
/// </summary>
public sealed class NodeSources(IOptions<MonitorOptions> options) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string Cluster, MonitorNode Node), Entry> _sources = new();

    /// <summary>How many data sources were built since start: a kept pool does not count again.</summary>
    public int Built => Volatile.Read(ref _built);

    private int _built;

    public NpgsqlDataSource For(MonitorTarget target, MonitorNode node)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(node);
        var key = (target.ClusterName, node);
        while (true)
        {
            var entry = _sources.GetOrAdd(key, _ => NewEntry(target, node));
            if (entry.Password.Equals(target.Password))
            {
                return entry.Source.Value;
            }

            // The password changed: one caller swaps in a new source; the old one is disposed once it is replaced.
            var replacement = NewEntry(target, node);
            if (_sources.TryUpdate(key, replacement, entry))
            {
                if (entry.Source.IsValueCreated)
                {
                    _ = entry.Source.Value.DisposeAsync().AsTask();
                }

                return replacement.Source.Value;
            }
        }
    }

    private Entry NewEntry(MonitorTarget target, MonitorNode node) =>
        new(target.Password, new Lazy<NpgsqlDataSource>(() =>
        {
            Interlocked.Increment(ref _built);
            return Build(target, node);
        }, LazyThreadSafetyMode.ExecutionAndPublication));

    private sealed record Entry(Security.Secret Password, Lazy<NpgsqlDataSource> Source);

    private NpgsqlDataSource Build(MonitorTarget target, MonitorNode node)
    {
        {
            var timeout = Math.Max(1, options.Value.TimeoutSeconds);
            var builder = new NpgsqlConnectionStringBuilder
            {
                Host = node.Host,
                Port = node.Port,
                Database = "postgres",
                Username = PlanDefaults.MonitorRole,
                Password = target.Password.Reveal(),
                Timeout = timeout,
                CommandTimeout = timeout,
                ApplicationName = "pgpanel-monitor",
                Pooling = true,
                MinPoolSize = 0,
                MaxPoolSize = 2,
                NoResetOnClose = true,

                // The same statement every interval: prepared once per connection, the server skips planning it.
                MaxAutoPrepare = 4,
                AutoPrepareMinUsages = 2,
                SslMode = IPAddress.TryParse(node.Host, out var ip) && IPAddress.IsLoopback(ip) ? SslMode.Disable : SslMode.Prefer,
            };
            var dataSource = new NpgsqlDataSourceBuilder(builder.ConnectionString);
            dataSource.ConfigureTypeLoading(types => types.EnableTypeLoading(false));
            return dataSource.Build();
        }
    }

    /// <summary>Disposes the sources of nodes no longer in <paramref name="targets"/>.</summary>
    public async Task RetainOnlyAsync(IEnumerable<MonitorTarget> targets)
    {
        var keep = targets.SelectMany(t => t.Nodes.Select(n => (t.ClusterName, n))).ToHashSet();
        foreach (var key in _sources.Keys.Where(k => !keep.Contains(k)).ToList())
        {
            if (_sources.TryRemove(key, out var entry) && entry.Source.IsValueCreated)
            {
                await entry.Source.Value.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var entry in _sources.Values.Where(e => e.Source.IsValueCreated))
        {
            await entry.Source.Value.DisposeAsync().ConfigureAwait(false);
        }

        _sources.Clear();
    }
}
