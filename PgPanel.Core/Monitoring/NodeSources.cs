using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;
using Npgsql;

namespace PgPanel.Core.Monitoring;

/// <summary>One <see cref="NpgsqlDataSource"/> per monitored node, built once, disposed when the node is no longer watched.</summary>
public sealed class NodeSources(IOptions<MonitorOptions> options) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, NpgsqlDataSource> _sources = new(StringComparer.Ordinal);

    public NpgsqlDataSource For(MonitorTarget target, MonitorNode node)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(node);
        return _sources.GetOrAdd(Key(target, node), _ =>
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
                SslMode = IPAddress.TryParse(node.Host, out var ip) && IPAddress.IsLoopback(ip) ? SslMode.Disable : SslMode.Prefer,
            };
            var dataSource = new NpgsqlDataSourceBuilder(builder.ConnectionString);
            dataSource.ConfigureTypeLoading(types => types.EnableTypeLoading(false));
            return dataSource.Build();
        });
    }

    /// <summary>Disposes the sources of nodes no longer in <paramref name="targets"/>.</summary>
    public async Task RetainOnlyAsync(IEnumerable<MonitorTarget> targets)
    {
        var keep = targets.SelectMany(t => t.Nodes.Select(n => Key(t, n))).ToHashSet(StringComparer.Ordinal);
        foreach (var key in _sources.Keys.Where(k => !keep.Contains(k)).ToList())
        {
            if (_sources.TryRemove(key, out var source))
            {
                await source.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var source in _sources.Values)
        {
            await source.DisposeAsync().ConfigureAwait(false);
        }

        _sources.Clear();
    }

    private static string Key(MonitorTarget target, MonitorNode node) =>
        $"{target.ClusterName}|{node.Id}|{node.Host}|{node.Port}|{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(target.Password.Reveal())))[..16]}";
}
