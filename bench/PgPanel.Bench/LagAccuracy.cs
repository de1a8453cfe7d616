using System.Diagnostics;
using System.Globalization;
using Npgsql;
using PgPanel.Core.Clusters;
using PgPanel.Core.Monitoring;
using PgPanel.Core.Records;
using PgPanel.Core.Specs;
using static PgPanel.Core.Security.ShellQuote;

namespace PgPanel.Bench;

/// <summary>
/// B5: lag accuracy of the monitor (in-process, as B3) on a local pair PgPanel provisioned.
/// (1) Under pgbench load: the panel's byte lag (StandbySample.ReplayLagBytes = the primary's
/// pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) for that standby's WAL sender) against the same expression queried
/// directly at the same moment (both statements started together); baseline: two direct queries started together,
/// which is how close "the same moment" can get. (2) Idle primary: the reported replay delay over the window (goal:
/// stays 0); baseline: the naive now() - pg_last_xact_replay_timestamp() on the standby, which grows while idle.
/// (3) A standby cut off (its stream cut with the standby up: primary_conninfo emptied; then the standby stopped with
/// pg_ctl -m immediate) at a random
/// moment of the 1 s interval: intervals until the sample flags it (standby not streaming); baseline: intervals until a
/// direct pg_stat_replication poll on the primary, on the same ticks, no longer shows it streaming.
/// </summary>
public static class LagAccuracy
{
    private const string ClusterName = "b5";
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    public static async Task RunAsync(BenchOptions options, ResultTable table, CancellationToken cancellationToken)
    {
        var root = options.WorkDirectory;
        try
        {
            await using var panel = await InProcessPanel.StartAsync(Path.Combine(root, "panel"), cancellationToken);
            var ports = BenchPorts.Take(2);
            var spec = InProcessPanel.LocalSpec(ClusterName, ports[0], [ports[1]]);
            await panel.RunJobAsync(spec, cancellationToken);
            var password = (await panel.Get<ClusterStore>().GetSecretsAsync(ClusterName, cancellationToken))[PlanDefaults.MonitorPasswordSecret];
            var target = MonitorTargetSource.For(spec, password);
            var monitor = panel.Get<ReplicationMonitor>();
            var applicationName = target.Standbys.First().ApplicationName!;
            await using var primary = DataSource(ports[0], password.Reveal());
            await using var standby = DataSource(ports[1], password.Reveal());

            await BenchPostgres.RunCheckedAsync(
                $"{Quote(BenchPostgres.Bin("pgbench"))} -i -q -s 10 -h {Quote(BenchPostgres.SocketDirectory)} -p {ports[0]} postgres >/dev/null 2>&1", cancellationToken: cancellationToken);
            await UnderLoadAsync(options, table, monitor, target, primary, ports[0], applicationName, cancellationToken);
            await IdleAsync(options, table, monitor, target, standby, cancellationToken);
            await CutOffAsync(table, monitor, target, primary, ports[1], panel.DataDirectoryOf(ClusterName, "standby1"), applicationName, cancellationToken);
        }
        finally
        {
            await BenchPostgres.RemoveAsync(root);
        }
    }

    private static NpgsqlDataSource DataSource(int port, string password) => NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = port,
        Username = PlanDefaults.MonitorRole,
        Password = password,
        Database = "postgres",
        MaxPoolSize = 2,
    }.ConnectionString);

    private static async Task UnderLoadAsync(
        BenchOptions options, ResultTable table, ReplicationMonitor monitor, MonitorTarget target, NpgsqlDataSource primary, int primaryPort,
        string applicationName, CancellationToken cancellationToken)
    {
        var sql = $"SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) FROM pg_stat_replication WHERE application_name = '{applicationName}'";
        await using var first = await primary.OpenConnectionAsync(cancellationToken);
        await using var second = await primary.OpenConnectionAsync(cancellationToken);
        async Task<double> DirectAsync(NpgsqlConnection connection)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            return Convert.ToDouble(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }

        using var loadCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var load = BenchPostgres.RunAsync(
            $"{Quote(BenchPostgres.Bin("pgbench"))} -n -c 4 -j 2 -T {options.SampleSeconds + 5} -h {Quote(BenchPostgres.SocketDirectory)} -p {primaryPort} postgres 2>&1 | grep -E '^(tps|number of transactions actually)' || true",
            cancellationToken: loadCancel.Token);
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        var panelDiffs = new List<double>();
        var panelFractions = new List<double>();
        var directDiffs = new List<double>();
        var directFractions = new List<double>();
        var lags = new List<double>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(options.SampleSeconds))
        {
            var sampled = monitor.SampleClusterAsync(target, cancellationToken);
            var direct = DirectAsync(first);
            var sample = await sampled;
            var reference = await direct;
            if (sample.Standbys[0].ReplayLagBytes is { } reported)
            {
                panelDiffs.Add(Math.Abs(reported - reference));
                lags.Add(reference);
                if (reference > 0)
                {
                    panelFractions.Add(Math.Abs(reported - reference) / reference * 100);
                }
            }

            var a = DirectAsync(first);
            var b = DirectAsync(second);
            var (x, y) = (await a, await b);
            directDiffs.Add(Math.Abs(x - y));
            if (Math.Max(x, y) > 0)
            {
                directFractions.Add(Math.Abs(x - y) / Math.Max(x, y) * 100);
            }

            await Task.Delay(200, cancellationToken);
        }

        var summary = await load;
        Console.Error.WriteLine($"B5: {panelDiffs.Count} panel/direct pairs and {directDiffs.Count} direct/direct pairs under pgbench -c 4 " +
                                $"({summary.Output.Replace('\n', ' ').Trim()}); lag p50 {Statistics.Median(lags):0} B, p95 {Statistics.Percentile(lags, 0.95):0} B");
        table.Add("B5 lag under load: |panel − direct| p50", Statistics.Median(panelDiffs), "B", Statistics.Median(directDiffs), "—", true);
        table.Add("B5 lag under load: |panel − direct| p95", Statistics.Percentile(panelDiffs, 0.95), "B", Statistics.Percentile(directDiffs, 0.95), "—", true);
        table.Add("B5 lag under load: difference / lag p50", Statistics.Median(panelFractions), "%", Statistics.Median(directFractions), "—", true);
    }

    private static async Task IdleAsync(
        BenchOptions options, ResultTable table, ReplicationMonitor monitor, MonitorTarget target, NpgsqlDataSource standby, CancellationToken cancellationToken)
    {
        // Caught up first: the load has ended, the standby replays the rest.
        var settle = Stopwatch.StartNew();
        while (settle.Elapsed < TimeSpan.FromSeconds(60))
        {
            var sample = await monitor.SampleClusterAsync(target, cancellationToken);
            if (sample.Standbys[0].ReplayLagBytes == 0 && sample.Standbys[0].ReplayDelaySeconds == 0)
            {
                break;
            }

            await Task.Delay(200, cancellationToken);
        }

        var reported = new List<double>();
        var naive = new List<double>();
        var flagged = new List<string>();
        await using var connection = await standby.OpenConnectionAsync(cancellationToken);
        using var timer = new PeriodicTimer(Interval);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(options.IdleSeconds) && await timer.WaitForNextTickAsync(cancellationToken))
        {
            var sample = await monitor.SampleClusterAsync(target, cancellationToken);
            reported.Add(sample.Standbys[0].ReplayDelaySeconds ?? double.NaN);
            if (sample.Standbys[0].State != StandbyState.Streaming)
            {
                flagged.Add(string.Join("; ", sample.Reasons));
            }

            await using var command = new NpgsqlCommand("SELECT coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0)::float8", connection);
            naive.Add((double)(await command.ExecuteScalarAsync(cancellationToken))!);
        }

        var max = reported.Any(double.IsNaN) ? double.NaN : reported.Max();
        Console.Error.WriteLine($"B5: idle {options.IdleSeconds} s, {reported.Count} samples; reported replay delay max {max:0.000} s, naive max {naive.Max():0.0} s");
        table.Add($"B5 idle {options.IdleSeconds} s: replay delay max", max, "s", naive.Max(), "0", max == 0);
        table.Add($"B5 idle {options.IdleSeconds} s: samples not streaming", flagged.Count, "", null, "0", flagged.Count == 0);
        foreach (var reason in flagged.Distinct(StringComparer.Ordinal).Take(5))
        {
            Console.Error.WriteLine($"B5: idle standby flagged: {reason}");
        }

    }

    private static async Task CutOffAsync(
        ResultTable table, ReplicationMonitor monitor, MonitorTarget target, NpgsqlDataSource primary, int standbyPort, string standbyData,
        string applicationName, CancellationToken cancellationToken)
    {
        // Cut the stream with the standby still up: no primary_conninfo, the WAL receiver stops and is not restarted.
        var psql = $"{Quote(BenchPostgres.Bin("psql"))} -X -q -h {Quote(BenchPostgres.SocketDirectory)} -p {standbyPort} -d postgres";
        var (panelCut, directCut) = await IntervalsUntilFlaggedAsync(monitor, target, primary, applicationName,
            () => BenchPostgres.RunCheckedAsync($"{psql} -c \"ALTER SYSTEM SET primary_conninfo = ''\" -c 'SELECT pg_reload_conf()' >/dev/null", cancellationToken: cancellationToken),
            cancellationToken);
        await BenchPostgres.RunCheckedAsync($"{psql} -c 'ALTER SYSTEM RESET primary_conninfo' -c 'SELECT pg_reload_conf()' >/dev/null", cancellationToken: cancellationToken);
        var back = Stopwatch.StartNew();
        while ((await monitor.SampleClusterAsync(target, cancellationToken)).Standbys[0].State != StandbyState.Streaming && back.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(250, cancellationToken);
        }

        var (panelStopped, directStopped) = await IntervalsUntilFlaggedAsync(monitor, target, primary, applicationName,
            () => BenchPostgres.RunCheckedAsync($"{Quote(BenchPostgres.Bin("pg_ctl"))} stop -D {Quote(standbyData)} -m immediate -w >/dev/null", cancellationToken: cancellationToken),
            cancellationToken);
        table.Add("B5 stream cut (standby up) → flagged", panelCut, "intervals", directCut, "≤ 2 intervals", panelCut <= 2);
        table.Add("B5 standby stopped (immediate) → flagged", panelStopped, "intervals", directStopped, "≤ 2 intervals", panelStopped <= 2);
    }

    /// <summary>
    /// Ticks every interval; cuts the standby off at a random moment between two ticks; counts the ticks after the cut
    /// until the panel's sample flags the standby and until the direct poll does (10 at most).
    /// </summary>
    private static async Task<(double Panel, double Direct)> IntervalsUntilFlaggedAsync(
        ReplicationMonitor monitor, MonitorTarget target, NpgsqlDataSource primary, string applicationName, Func<Task<string>> cut, CancellationToken cancellationToken)
    {
        await using var connection = await primary.OpenConnectionAsync(cancellationToken);
        using var timer = new PeriodicTimer(Interval);
        await timer.WaitForNextTickAsync(cancellationToken);
        var before = await monitor.SampleClusterAsync(target, cancellationToken);
        if (before.Standbys[0].State != StandbyState.Streaming)
        {
            Console.Error.WriteLine($"B5: the standby was not streaming before the cut: {string.Join("; ", before.Reasons)}");
            return (double.NaN, double.NaN);
        }

        var offset = TimeSpan.FromMilliseconds(Random.Shared.Next(50, 900));
        await Task.Delay(offset, cancellationToken);
        await cut();
        int? panelTicks = null, directTicks = null;
        for (var tick = 1; tick <= 10 && (panelTicks is null || directTicks is null); tick++)
        {
            await timer.WaitForNextTickAsync(cancellationToken);
            var sample = monitor.SampleClusterAsync(target, cancellationToken);
            await using var command = new NpgsqlCommand($"SELECT count(*) FROM pg_stat_replication WHERE application_name = '{applicationName}' AND state = 'streaming'", connection);
            var streaming = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
            var state = (await sample).Standbys[0].State;
            if (panelTicks is null && state != StandbyState.Streaming)
            {
                panelTicks = tick;
                Console.Error.WriteLine($"B5: cut {offset.TotalMilliseconds:0} ms after a tick; panel flagged {state} at tick {tick}");
            }

            if (directTicks is null && streaming == 0)
            {
                directTicks = tick;
            }
        }

        return (panelTicks ?? double.NaN, directTicks ?? double.NaN);
    }
}
