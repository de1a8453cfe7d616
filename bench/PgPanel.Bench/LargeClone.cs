using System.Diagnostics;
using System.Globalization;
using PgPanel.Core.Clusters;
using PgPanel.Core.Planning;
using PgPanel.Core.Records;
using PgPanel.Core.Specs;
using static PgPanel.Core.Security.ShellQuote;

namespace PgPanel.Bench;

/// <summary>
/// B2: a standby clone of a primary holding ~2 GB (pgbench -i -s 130). PgPanel provisions a pair, the primary is
/// loaded, then each PgPanel run is a job for the same spec with one more standby; the figure is that job's
/// clone-standbyN step (StartedAt → FinishedAt in the job history). Baselines on the same primary, alternating with
/// PgPanel: the raw pg_basebackup with the options PgPanel plans (-X stream -c fast -P -w -S slot), and cp -a of the
/// data directory without pg_wal (nor postmaster.pid) followed by an fsync of every file (pg_basebackup fsyncs too) — the disk's limit.
/// PgPanel and pg_basebackup run back to back, which goes first alternating per run; medians.
/// </summary>
public static class LargeClone
{
    public static async Task RunAsync(BenchOptions options, ResultTable table, CancellationToken cancellationToken)
    {
        var root = options.WorkDirectory;
        var baselines = Path.Combine(root, "baseline");
        var panelTimes = new List<double>();
        var rawTimes = new List<double>();
        var copyTimes = new List<double>();
        long bytes = 0;
        try
        {
            await using var panel = await InProcessPanel.StartAsync(Path.Combine(root, "panel"), cancellationToken);
            await BenchPostgres.CreateOwnedDirectoryAsync(baselines, cancellationToken);
            var ports = BenchPorts.Take(2 + options.CloneRuns);
            var primaryPort = ports[0];
            var standbyPorts = new List<int> { ports[1] };
            var spec = InProcessPanel.LocalSpec("b2", primaryPort, standbyPorts);
            await panel.RunJobAsync(spec, cancellationToken);
            var primaryData = panel.DataDirectoryOf("b2", Planner.PrimaryId);

            var load = Stopwatch.StartNew();
            await BenchPostgres.RunCheckedAsync(
                $"{Quote(BenchPostgres.Bin("pgbench"))} -i -q -s {options.CloneScale} -h {Quote(BenchPostgres.SocketDirectory)} -p {primaryPort} postgres 2>&1 | tail -n 1",
                cancellationToken: cancellationToken);
            bytes = long.Parse(await BenchPostgres.QueryAsync(primaryPort, "SELECT pg_database_size('postgres')", cancellationToken), CultureInfo.InvariantCulture);
            Console.Error.WriteLine($"B2: pgbench -i -s {options.CloneScale} loaded in {load.Elapsed.TotalSeconds:0} s; database postgres is {bytes / 1e9:0.00} GB");

            var secrets = await panel.Get<ClusterStore>().GetSecretsAsync("b2", cancellationToken);
            var password = secrets[PlanDefaults.ReplicationPasswordSecret].Reveal();
            for (var run = 0; run < options.CloneRuns; run++)
            {
                // PgPanel: the same spec with one more standby; only its clone step is timed.
                async Task<(double Seconds, Job Job)> PanelCloneAsync()
                {
                    standbyPorts.Add(ports[2 + run]);
                    spec = spec with { Standbys = [.. standbyPorts.Select(p => new PgPanel.Core.Specs.NodeSpec { Host = "127.0.0.1", Port = p })] };
                    var job = await panel.RunJobAsync(spec, cancellationToken);
                    var cloneStep = job.Steps.Single(s => s.StepId == $"clone-standby{standbyPorts.Count}");
                    return ((cloneStep.FinishedAt!.Value - cloneStep.StartedAt!.Value).TotalSeconds, job);
                }

                async Task<double> RawAsync()
                {
                    var raw = Path.Combine(baselines, $"basebackup-{run}");
                    var seconds = await TimeAsync(
                        $"{Quote(BenchPostgres.Bin("psql"))} -X -q -At -h {Quote(BenchPostgres.SocketDirectory)} -p {primaryPort} -d postgres -c \"SELECT pg_create_physical_replication_slot('bench_raw_{run}', true)\" >/dev/null",
                        $"PGPASSWORD=\"$BENCH_PASSWORD\" {Quote(BenchPostgres.Bin("pg_basebackup"))} -h 127.0.0.1 -p {primaryPort} -U replica -D {Quote(raw)} -X stream -c fast -P -w -S bench_raw_{run} 2>&1 | tail -n 1",
                        $"{Quote(BenchPostgres.Bin("psql"))} -X -q -At -h {Quote(BenchPostgres.SocketDirectory)} -p {primaryPort} -d postgres -c \"SELECT pg_drop_replication_slot('bench_raw_{run}')\" >/dev/null",
                        password, cancellationToken);
                    await BenchPostgres.RemoveAsync(raw);
                    return seconds;
                }

                async Task<(double Seconds, long Bytes)> CopyAsync()
                {
                    var copy = Path.Combine(baselines, $"copy-{run}");
                    var seconds = await TimeAsync(
                        "",
                        $"""
                        src={Quote(primaryData)}
                        dst={Quote(copy)}
                        mkdir -m 0700 "$dst" "$dst/pg_wal"
                        for entry in "$src"/* "$src"/.[!.]*; do
                          case "$(basename "$entry")" in pg_wal|postmaster.pid|postmaster.opts) continue ;; esac
                        if [ -e "$entry" ]; then cp -a "$entry" "$dst/"; fi
                        done
                        find "$dst" -type f -print0 | xargs -0 -r sync
                        """,
                        "", password, cancellationToken);
                    var copied = long.Parse((await BenchPostgres.RunCheckedAsync($"du -sb {Quote(copy)} | cut -f1", cancellationToken: cancellationToken)).Trim(), CultureInfo.InvariantCulture);
                    await BenchPostgres.RemoveAsync(copy);
                    return (seconds, copied);
                }

                // PgPanel and the raw pg_basebackup back to back, which goes first alternating, so neither always follows
                // the other's 2 GB write; the copy after both.
                // Before each, the file system settles (dirty pages written, the last 2 GB removal done).
                double panelSeconds, rawSeconds;
                Job job;
                if (run % 2 == 0)
                {
                    await SettleAsync(cancellationToken);
                    (panelSeconds, job) = await PanelCloneAsync();
                    await SettleAsync(cancellationToken);
                    rawSeconds = await RawAsync();
                }
                else
                {
                    await SettleAsync(cancellationToken);
                    rawSeconds = await RawAsync();
                    await SettleAsync(cancellationToken);
                    (panelSeconds, job) = await PanelCloneAsync();
                }

                await SettleAsync(cancellationToken);
                var copy = await CopyAsync();

                panelTimes.Add(panelSeconds);
                rawTimes.Add(rawSeconds);
                copyTimes.Add(copy.Seconds);
                var (copySeconds, copied) = copy;
                Console.Error.WriteLine($"B2: run {run} ({(run % 2 == 0 ? "PgPanel first" : "pg_basebackup first")}): PgPanel clone step {panelSeconds:0.00} s, pg_basebackup {rawSeconds:0.00} s ({panelSeconds / rawSeconds:0.00}×), cp -a {copySeconds:0.00} s ({copied / 1e9:0.00} GB, {copied / 1e6 / copySeconds:0} MB/s)");
                foreach (var step in job.Steps.Where(s => s.StepId.EndsWith($"standby{standbyPorts.Count}", StringComparison.Ordinal) && s.StartedAt is not null && s.FinishedAt is not null))
                {
                    Console.Error.WriteLine($"B2:   {step.StepId,-44} {(step.FinishedAt!.Value - step.StartedAt!.Value).TotalMilliseconds,9:0} ms {step.Status}");
                }
            }
        }
        finally
        {
            await BenchPostgres.RemoveAsync(root);
        }

        var panelMedian = Statistics.Median(panelTimes);
        var rawMedian = Statistics.Median(rawTimes);
        table.Add(string.Create(CultureInfo.InvariantCulture, $"B2 clone of {bytes / 1e9:0.0} GB vs pg_basebackup"), panelMedian, "s", rawMedian, "≤ 1.05×", panelMedian / rawMedian <= 1.05);
        table.Add("B2 clone vs cp -a + fsync (disk limit)", panelMedian, "s", Statistics.Median(copyTimes), "—", true);
    }

    /// <summary>Writes dirty pages out (sync) and waits a second, so a timed copy does not pay for the one before it.</summary>
    private static async Task SettleAsync(CancellationToken cancellationToken)
    {
        await BenchPostgres.RunCheckedAsync("sync", cancellationToken: cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
    }

    /// <summary>Runs setup (untimed), the timed command, then teardown (untimed), as the cluster owner; seconds of the timed part.</summary>
    private static async Task<double> TimeAsync(string setup, string command, string teardown, string password, CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string> { ["BENCH_PASSWORD"] = password };
        if (setup.Length > 0)
        {
            await BenchPostgres.RunCheckedAsync(setup, environment, cancellationToken);
        }

        var stopwatch = Stopwatch.StartNew();
        await BenchPostgres.RunCheckedAsync(command, environment, cancellationToken);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        if (teardown.Length > 0)
        {
            await BenchPostgres.RunCheckedAsync(teardown, environment, cancellationToken);
        }

        return seconds;
    }
}
