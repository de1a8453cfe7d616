using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;
using Npgsql;

namespace PgPanel.Core.Monitoring;

/// <summary>One <see cref="NpgsqlDataSource"/> per monitored node, built once, disposed when the node is no longer watched.</summary>
public sealed class NodeSources(IOptions<MonitorOptions> options) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string Cluster, MonitorNode Node), (Security.Secret Password, NpgsqlDataSource Source)> _sources = new();

    public NpgsqlDataSource For(MonitorTarget target, MonitorNode node)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(node);
        var key = (target.ClusterName, node);
        if (_sources.TryGetValue(key, out var existing) && ReferenceEquals(existing.Password, target.Password))
        {
            return existing.Source;
        }

        var built = (target.Password, Build(target, node));
        if (_sources.TryGetValue(key, out var stale) && _sources.TryUpdate(key, built, stale))
        {
            _ = stale.Source.DisposeAsync().AsTask();
            return built.Item2;
        }

        return _sources.GetOrAdd(key, built).Source;
    }

    private NpgsqlDataSource Build(MonitorTarget target, MonitorNode node)
    {
        {
            var timeout = Math.Max(1, options.Value.TimeoutSeconds);
            var builder = new NpgsqlConnectionStringBuilder
            {
                Host = node.Host,
                Port = node.Port,
                Database = "postgres",
                Username = Planning.PlanDefaults.MonitorRole,
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
            if (_sources.TryRemove(key, out var entry))
            {
                await entry.Source.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var entry in _sources.Values)
        {
            await entry.Source.DisposeAsync().ConfigureAwait(false);
        }

        _sources.Clear();
    }
}
