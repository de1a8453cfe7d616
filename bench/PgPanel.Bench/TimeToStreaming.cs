using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static PgPanel.Core.Security.ShellQuote;

namespace PgPanel.Bench;

/// <summary>
/// B1: time to streaming for an empty local pair. PgPanel: the panel runs as its own process (started once); the
/// figure is POST /api/jobs with a local-target spec until GET /api/jobs/{id} says succeeded (streaming verified).
/// Baseline: one bash script doing the same steps by hand (initdb, settings, pg_hba line, start, replication role,
/// slot, pg_basebackup -R -X stream -S, start the standby, poll pg_stat_replication until streaming). Runs alternate
/// (panel, bare, …) after one warm-up of each; medians. Every run has its own cluster name, ports and directories,
/// and its servers are stopped and its directories removed before the next.
/// </summary>
public static class TimeToStreaming
{
    private const string ReplicationPassword = "Bench-Replication-Password-2026";

    public static async Task RunAsync(BenchOptions options, ResultTable table, CancellationToken cancellationToken)
    {
        var root = options.WorkDirectory;
        var panelData = Path.Combine(root, "panel");
        Directory.CreateDirectory(panelData);
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(panelData, (UnixFileMode)0b111_101_101);
        var panelTimes = new List<double>();
        var bareTimes = new List<double>();
        var minimalTimes = new List<double>();
        var steps = new StepBreakdown();
        var bareSteps = new StepBreakdown();
        var minimalSteps = new StepBreakdown();
        try
        {
            var published = await PublishedPanel.PublishAsync(Path.Combine(root, "web"), cancellationToken);
            await using var panel = await PublishedPanel.StartAsync(published, panelData, new Dictionary<string, string> { ["PgPanel:Monitoring:Enabled"] = "false" }, cancellationToken);
            using var client = panel.CreateApiClient();
            Console.Error.WriteLine($"B1: panel started on {panel.BaseUrl}; {options.StreamingRuns} runs each after one warm-up, alternating");
            for (var run = 0; run <= options.StreamingRuns; run++)
            {
                var warmUp = run == 0;
                var panelSeconds = await PanelRunAsync(client, panelData, $"b1-panel-{run}", warmUp ? null : steps, cancellationToken);
                var bareSeconds = await BareRunAsync(Path.Combine(root, $"bare-{run}"), minimal: false, warmUp ? null : bareSteps, cancellationToken);
                var minimalSeconds = await BareRunAsync(Path.Combine(root, $"minimal-{run}"), minimal: true, warmUp ? null : minimalSteps, cancellationToken);
                Console.Error.WriteLine($"B1: run {run}{(warmUp ? " (warm-up)" : "")}: panel {panelSeconds:0.00} s, bare {bareSeconds:0.00} s, minimal {minimalSeconds:0.00} s");
                if (!warmUp)
                {
                    panelTimes.Add(panelSeconds);
                    bareTimes.Add(bareSeconds);
                    minimalTimes.Add(minimalSeconds);
                }
            }
        }
        finally
        {
            await BenchPostgres.RemoveAsync(root);
        }

        steps.Print(Console.Error, "B1 PgPanel job");
        bareSteps.Print(Console.Error, "B1 bare script");
        minimalSteps.Print(Console.Error, "B1 minimal script (the seed's steps)");
        var panelMedian = Statistics.Median(panelTimes);
        table.Add("B1 time to streaming vs the same steps by hand", panelMedian, "s", Statistics.Median(bareTimes), "≤ 1.15×", panelMedian / Statistics.Median(bareTimes) <= 1.15);
        table.Add("B1 time to streaming vs the seed's minimal script", panelMedian, "s", Statistics.Median(minimalTimes), "≤ 1.3×", panelMedian / Statistics.Median(minimalTimes) <= 1.3);
    }

    /// <summary>One job through the REST API; seconds from the POST until the job reads succeeded.</summary>
    private static async Task<double> PanelRunAsync(HttpClient client, string panelData, string name, StepBreakdown? steps, CancellationToken cancellationToken)
    {
        var ports = BenchPorts.Take(2);
        var spec = new JsonObject
        {
            ["name"] = name,
            ["postgresVersion"] = 15,
            ["primary"] = new JsonObject { ["host"] = "127.0.0.1", ["port"] = ports[0], ["connection"] = new JsonObject { ["kind"] = "local" } },
            ["standbys"] = new JsonArray(new JsonObject { ["host"] = "127.0.0.1", ["port"] = ports[1], ["connection"] = new JsonObject { ["kind"] = "local" } }),
            ["replication"] = new JsonObject { ["user"] = "replica", ["synchronous"] = false, ["useSlots"] = true },
        };
        var clusterDirectory = Path.Combine(panelData, "clusters", name);
        try
        {
            var stopwatch = Stopwatch.StartNew();
            using var response = await client.PostAsJsonAsync("/api/jobs", spec, cancellationToken);
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                throw new InvalidOperationException($"POST /api/jobs answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }

            var id = (await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))!["id"]!.GetValue<string>();
            JsonObject job;
            while (true)
            {
                job = (await client.GetFromJsonAsync<JsonObject>($"/api/jobs/{id}", cancellationToken))!;
                var status = job["status"]!.GetValue<string>();
                if (status == "succeeded")
                {
                    break;
                }

                if (status is "failed" or "cancelled" or "interrupted")
                {
                    throw new InvalidOperationException($"B1 job {name} {status}: {job.ToJsonString()}");
                }

                await Task.Delay(50, cancellationToken);
            }

            var seconds = stopwatch.Elapsed.TotalSeconds;
            var state = await BenchPostgres.QueryAsync(ports[0], "SELECT state FROM pg_stat_replication", cancellationToken);
            if (state != "streaming")
            {
                throw new InvalidOperationException($"B1: the job of {name} succeeded but pg_stat_replication shows '{state}'.");
            }

            if (steps is not null)
            {
                Record(job, steps, seconds);
            }

            return seconds;
        }
        finally
        {
            await BenchPostgres.RemoveAsync(clusterDirectory);
        }
    }

    private static void Record(JsonObject job, StepBreakdown steps, double totalSeconds)
    {
        var created = job["createdAt"]!.GetValue<DateTimeOffset>();
        var list = job["steps"]!.AsArray().Select(s => s!.AsObject()).ToList();
        var first = list.Select(s => s["startedAt"]?.GetValue<DateTimeOffset?>()).OfType<DateTimeOffset>().Min();
        var last = list.Select(s => s["finishedAt"]?.GetValue<DateTimeOffset?>()).OfType<DateTimeOffset>().Max();
        steps.Add("(queued: created → first step)", (first - created).TotalMilliseconds);
        var sum = 0.0;
        foreach (var step in list)
        {
            if (step["startedAt"]?.GetValue<DateTimeOffset?>() is { } started && step["finishedAt"]?.GetValue<DateTimeOffset?>() is { } finished)
            {
                var ms = (finished - started).TotalMilliseconds;
                sum += ms;
                steps.Add(step["stepId"]!.GetValue<string>(), ms);
            }
        }

        steps.Add("(between steps)", (last - first).TotalMilliseconds - sum);
        steps.Add("(last step → API poll saw succeeded)", totalSeconds * 1000 - (last - created).TotalMilliseconds);
        steps.Add("(total)", totalSeconds * 1000);
    }

    /// <summary>
    /// The same steps by hand in one script, as the cluster owner; seconds until pg_stat_replication says streaming.
    /// <paramref name="minimal"/>: the seed's steps only — initdb with its defaults, the settings, the pg_hba line, start,
    /// the role, <c>pg_basebackup -R -C</c> (the slot made by the copy), start — instead of PgPanel's options
    /// (checksums, peer/scram authentication, its own slot step).
    /// </summary>
    private static async Task<double> BareRunAsync(string directory, bool minimal, StepBreakdown? steps, CancellationToken cancellationToken)
    {
        var ports = BenchPorts.Take(2);
        await BenchPostgres.CreateOwnedDirectoryAsync(directory, cancellationToken);
        var d = Quote(directory);
        var socket = Quote(BenchPostgres.SocketDirectory);
        var initdb = minimal
            ? "\"$b/initdb\" -D \"$d/primary\" >/dev/null"
            : "\"$b/initdb\" -D \"$d/primary\" --auth-local=peer --auth-host=scram-sha-256 --data-checksums --encoding=UTF8 >/dev/null";
        var roleAndSlot = minimal
            ? $"-c \"CREATE ROLE replica LOGIN REPLICATION PASSWORD '$BENCH_PASSWORD'\""
            : $"-c \"CREATE ROLE replica LOGIN REPLICATION PASSWORD '$BENCH_PASSWORD'\" -c \"SELECT pg_create_physical_replication_slot('standby1')\"";
        var hba = minimal ? "host replication replica 127.0.0.1/32 md5" : "host replication replica 127.0.0.1/32 scram-sha-256";
        var slot = minimal ? "-C -S standby1" : "-S standby1";
        var script =
            $$"""
            b={{Quote(BenchPostgres.BinDirectory)}}
            d={{d}}
            mark() { echo "mark $1 $(date +%s%N)"; }
            mark begin
            {{initdb}}
            cat >> "$d/primary/postgresql.conf" <<EOF
            listen_addresses = '127.0.0.1'
            port = {{ports[0]}}
            unix_socket_directories = '{{BenchPostgres.SocketDirectory}}'
            wal_level = replica
            max_wal_senders = 10
            max_replication_slots = 10
            hot_standby = on
            EOF
            echo "{{hba}}" >> "$d/primary/pg_hba.conf"
            mark "initdb + settings + pg_hba"
            "$b/pg_ctl" start -D "$d/primary" -l "$d/primary.log" -w >/dev/null
            mark "start primary"
            "$b/psql" -X -q -h {{socket}} -p {{ports[0]}} -d postgres -v ON_ERROR_STOP=1 {{roleAndSlot}} >/dev/null
            mark "{{(minimal ? "role" : "role + slot")}}"
            PGPASSWORD="$BENCH_PASSWORD" "$b/pg_basebackup" -h 127.0.0.1 -p {{ports[0]}} -U replica -D "$d/standby" -R -X stream -c fast {{slot}} -w
            mark "pg_basebackup -R"
            echo "port = {{ports[1]}}" >> "$d/standby/postgresql.conf"
            "$b/pg_ctl" start -D "$d/standby" -l "$d/standby.log" -w >/dev/null
            mark "start standby"
            for i in $(seq 1 2400); do
              state=$("$b/psql" -X -At -h {{socket}} -p {{ports[0]}} -d postgres -c "SELECT state FROM pg_stat_replication")
              if [ "$state" = streaming ]; then mark "poll until streaming"; exit 0; fi
              sleep 0.05
            done
            echo "The bare standby did not stream within 120 s." >&2
            exit 3
            """;
        try
        {
            var stopwatch = Stopwatch.StartNew();
            var output = await BenchPostgres.RunCheckedAsync(script, new Dictionary<string, string> { ["BENCH_PASSWORD"] = ReplicationPassword }, cancellationToken);
            var seconds = stopwatch.Elapsed.TotalSeconds;
            if (steps is not null)
            {
                var marks = output.Split('\n').Where(l => l.StartsWith("mark ", StringComparison.Ordinal))
                    .Select(l => (Name: l[5..l.LastIndexOf(' ')], Nanoseconds: long.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture))).ToList();
                for (var i = 1; i < marks.Count; i++)
                {
                    steps.Add(marks[i].Name, (marks[i].Nanoseconds - marks[i - 1].Nanoseconds) / 1e6);
                }

                steps.Add("(process start + exit)", seconds * 1000 - (marks[^1].Nanoseconds - marks[0].Nanoseconds) / 1e6);
                steps.Add("(total)", seconds * 1000);
            }

            return seconds;
        }
        finally
        {
            await BenchPostgres.RemoveAsync(directory);
        }
    }
}
