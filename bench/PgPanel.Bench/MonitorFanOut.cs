using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using PgPanel.Core;
using PgPanel.Core.Clusters;
using PgPanel.Core.Extensions;
using PgPanel.Core.Hosts;
using PgPanel.Core.Monitoring;
using PgPanel.Core.Records;
using PgPanel.Core.Runs;
using PgPanel.Core.Specs;

namespace PgPanel.Bench;

/// <summary>
/// B3: the monitor pointed at many node entries (all on one real local pair) at a 1 s interval: per-node sample
/// latency (p50/p99), CPU share of one core, and statements per node per interval. Baseline: a bare SELECT 1 over
/// the same connections at the same concurrency, the least one round trip can cost.
/// </summary>
public static class MonitorFanOut
{
    public static async Task RunAsync(BenchOptions options, ResultTable table)
    {
        Directory.CreateDirectory(options.WorkDirectory);
        File.SetUnixFileMode(options.WorkDirectory, (UnixFileMode)0b111_101_101);
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PgPanel:DataDirectory"] = options.WorkDirectory,
            ["PgPanel:Monitoring:Enabled"] = "false",
            ["PgPanel:Monitoring:IntervalSeconds"] = "1",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.AspNetCore.DataProtection"] = "Error",
        });
        builder.AddPgPanelCore();
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var spec = await ProvisionAsync(host.Services, options.Nodes);
            // The targets come the way the panel's monitor gets them: registered clusters with sealed secrets, loaded
            // (and unsealed afresh) by MonitorTargetSource at the panel's refresh — so a monitor that rebuilt its pools
            // when the secret object changes would show here as "data sources built" above the node count.
            var clusters = host.Services.GetRequiredService<ClusterStore>();
            var built = await clusters.GetAsync(spec.Name) ?? throw new InvalidOperationException("The provisioned pair is not registered.");
            await clusters.ForgetAsync(spec.Name);
            for (var i = 0; i < options.Nodes / 2; i++)
            {
                var name = $"bench-{i}";
                await clusters.SaveAsync(name, built.PostgresVersion, PanelJson.Serialize(spec with { Name = name }), Guid.NewGuid());
                await clusters.MarkReadyAsync(name, Guid.NewGuid(), built.SealedSecretsJson);
            }

            var targetSource = host.Services.GetRequiredService<MonitorTargetSource>();
            var targets = (await targetSource.LoadAsync()).ToList();
            var monitor = host.Services.GetRequiredService<ReplicationMonitor>();
            var sources = host.Services.GetRequiredService<NodeSources>();
            var nodeCount = targets.Sum(t => t.Nodes.Count);
            Console.Error.WriteLine($"B3: {nodeCount} node entries on one local pair, 1 s interval, {options.Seconds} s measured");

            // Warm up until every node has answered once — all 250 entries per server open their connection through the
            // monitor's per-server gate, which takes several intervals on a busy machine — then a few more intervals, so
            // that the JIT's tiering (several times the steady CPU for the first seconds) is over before the measured ones.
            var warmUp = Stopwatch.StartNew();
            var warmTicks = 0;
            var connectedAt = -1;
            while (connectedAt < 0 || warmTicks < connectedAt + 5)
            {
                var answered = await TickAsync(targets, monitor, CancellationToken.None);
                warmTicks++;
                if (connectedAt < 0 && answered.All(s => s.Primary.Reachable && s.Standbys.All(b => b.Reachable)))
                {
                    connectedAt = warmTicks;
                }
                else if (connectedAt < 0 && warmUp.Elapsed > TimeSpan.FromMinutes(2))
                {
                    throw new InvalidOperationException($"Not every node answered within {warmUp.Elapsed.TotalSeconds:0} s of warm-up.");
                }
            }

            Console.Error.WriteLine($"B3: warm-up {warmTicks} intervals ({warmUp.Elapsed.TotalSeconds:0.0} s), every node answering from interval {connectedAt}");

            var latencies = new List<double>();
            var statementsBefore = monitor.RoundTrips;
            var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            var ticks = 0;
            var late = 0;
            using (var timer = new PeriodicTimer(TimeSpan.FromSeconds(1)))
            {
                while (wall.Elapsed < TimeSpan.FromSeconds(options.Seconds) && await timer.WaitForNextTickAsync())
                {
                    var tick = Stopwatch.StartNew();
                    if (ticks % (int)ReplicationMonitor.TargetRefresh.TotalSeconds == 0)
                    {
                        targets = (await targetSource.LoadAsync()).ToList();
                    }

                    var sampled = await TickAsync(targets, monitor, CancellationToken.None);
                    late += tick.Elapsed > TimeSpan.FromSeconds(1) ? 1 : 0;
                    ticks++;
                    latencies.AddRange(sampled.SelectMany(s => s.Standbys.Select(b => b.SampleMilliseconds ?? double.NaN).Append(s.Primary.SampleMilliseconds ?? double.NaN)));
                }
            }

            var elapsed = wall.Elapsed;
            process.Refresh();
            var cpuShare = (process.TotalProcessorTime - cpuBefore).TotalSeconds / elapsed.TotalSeconds * 100;
            var perNodeTick = (double)(monitor.RoundTrips - statementsBefore) / (nodeCount * ticks);
            var errors = latencies.Count(double.IsNaN);

            // Baseline: SELECT 1 over the same pooled connections, same fan-out.
            var baseline = new List<double>();
            for (var i = 0; i < Math.Min(10, options.Seconds); i++)
            {
                baseline.AddRange(await SelectOneAsync(targets, sources));
            }

            var valid = latencies.Where(l => !double.IsNaN(l)).Order().ToList();
            var baseSorted = baseline.Order().ToList();
            table.Add("B3 sample latency p50", Percentile(valid, 0.50), "ms", Percentile(baseSorted, 0.50), "—", true);
            table.Add("B3 sample latency p99", Percentile(valid, 0.99), "ms", Percentile(baseSorted, 0.99), "≤ 50 ms", Percentile(valid, 0.99) <= 50);
            table.Add("B3 CPU share of one core", cpuShare, "%", null, "≤ 25 %", cpuShare <= 25);
            table.Add("B3 statements per node per interval", perNodeTick, "", 1, "exactly 1", Math.Abs(perNodeTick - 1) < 1e-9);
            table.Add("B3 data sources built (targets reloaded as the panel does)", sources.Built, "", nodeCount, $"exactly {nodeCount}", sources.Built == nodeCount);
            table.Add("B3 intervals overrun / failed samples", late + errors, "", null, "0", late + errors == 0);
            Console.Error.WriteLine($"B3: {ticks} intervals, {valid.Count} node samples, {errors} failed, {late} overran the interval");
        }
        finally
        {
            await host.StopAsync();
            await StopServersAsync(options.WorkDirectory);
            Directory.Delete(options.WorkDirectory, recursive: true);
        }
    }

    private static async Task<IReadOnlyList<ClusterSample>> TickAsync(List<MonitorTarget> targets, ReplicationMonitor monitor, CancellationToken cancellationToken) =>
        await monitor.SampleAllAsync(targets, cancellationToken);

    private static async Task<List<double>> SelectOneAsync(List<MonitorTarget> targets, NodeSources sources)
    {
        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        await Parallel.ForEachAsync(targets, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (target, ct) =>
        {
            await Task.WhenAll(target.Nodes.Select(async node =>
            {
                var stopwatch = Stopwatch.StartNew();
                await using var connection = await sources.For(target, node).OpenConnectionAsync(ct);
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync(ct);
                latencies.Add(stopwatch.Elapsed.TotalMilliseconds);
            }));
        });
        return [.. latencies];
    }

    private static async Task<ClusterSpec> ProvisionAsync(IServiceProvider services, int nodes)
    {
        var ports = BenchPorts.Take(2);
        var connections = (nodes + 100).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var spec = new ClusterSpec
        {
            Name = "bench",
            PostgresVersion = PgVersion.Of(15),
            Primary = new NodeSpec { Host = "127.0.0.1", Port = ports[0] },
            Standbys = [new NodeSpec { Host = "127.0.0.1", Port = ports[1] }],
            Settings = new SettingsSpec { Primary = new Dictionary<string, string> { ["max_connections"] = connections } },
        };
        var jobs = services.GetRequiredService<JobService>();
        var job = await jobs.StartAsync(spec, "bench");
        while (true)
        {
            job = (await jobs.GetAsync(job.Id))!;
            if (job.Status is JobStatus.Succeeded)
            {
                // A real cluster is watched by one panel (the role allows 5 connections); here hundreds of entries share it.
                await using var shell = new LocalShell();
                var raised = await shell.RunAsync(new ShellCommand(
                    $"/usr/lib/postgresql/15/bin/psql -X -q -h {(shell.CanBecomeRoot ? "/var/run/postgresql" : "/tmp")} -p {ports[0]} -d postgres -c 'ALTER ROLE pgpanel_monitor CONNECTION LIMIT -1'",
                    shell.CanBecomeRoot ? "postgres" : null));
                return raised.Succeeded ? spec : throw new InvalidOperationException(raised.Output);
            }

            if (job.Status is JobStatus.Failed or JobStatus.Cancelled or JobStatus.Interrupted)
            {
                throw new InvalidOperationException($"Provisioning the benchmark pair failed: {job.Error}");
            }

            await Task.Delay(200);
        }
    }

    private static async Task StopServersAsync(string root)
    {
        await using var shell = new LocalShell();
        foreach (var pid in Directory.Exists(root) ? Directory.EnumerateFiles(root, "postmaster.pid", SearchOption.AllDirectories) : [])
        {
            var data = Path.GetDirectoryName(pid)!;
            await shell.RunAsync(new ShellCommand($"/usr/lib/postgresql/15/bin/pg_ctl stop -D '{data}' -m fast -w || true", shell.CanBecomeRoot ? "postgres" : null));
        }
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
