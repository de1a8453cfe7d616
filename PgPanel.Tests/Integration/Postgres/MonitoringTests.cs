using Microsoft.Extensions.DependencyInjection;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.Integration.Postgres;

/// <summary>The monitor against a real local pair (PostgreSQL 15): lag you can trust, from both ends, every second.</summary>
[Collection(SerialCollection.Name)]
public sealed class MonitoringTests() : InProcessPanelTest("monitor")
{
    private readonly WebhookReceiver _webhook = new();
    private int[] _ports = [];

    protected override IReadOnlyDictionary<string, string> PanelSettings => new Dictionary<string, string>
    {
        ["PgPanel:Monitoring:IntervalSeconds"] = "1",
        ["PgPanel:Monitoring:WebhookUrl"] = _webhook.Url,
    };

    public override async Task InitializeAsync()
    {
        _ports = FreePorts.Take(2);
        await base.InitializeAsync();
        var job = await Api.WaitForJobAsync(Client, await Api.StartJobAsync(Client, Api.LocalSpec("watched", _ports[0], _ports[1])));
        Assert.True(Api.Status(job) == "succeeded", Api.Describe(job));
    }

    protected override async Task ReleaseAsync()
    {
        await base.ReleaseAsync();
        _webhook.Dispose();
    }

    [Fact]
    public async Task A_healthy_pair_streams_with_zero_lag_and_an_idle_primary_keeps_replay_delay_at_zero()
    {
        // Just after provisioning the canary's reply still shows a millisecond of replay_lag; idle, it reads 0 within a few intervals.
        var sample = await WaitForAsync(s => Health(s) == "healthy" && Standby(s)["replayLagBytes"]?.GetValue<long>() == 0
            && s["primary"]!["senders"]!.AsArray().FirstOrDefault()?["replayLagSeconds"]?.GetValue<double>() == 0, TimeSpan.FromSeconds(30));
        var sender = sample["primary"]!["senders"]!.AsArray().Single()!.AsObject();
        Assert.Equal("watched_standby1", sender["applicationName"]!.GetValue<string>());
        Assert.Equal("127.0.0.1", sender["clientAddr"]!.GetValue<string>());
        Assert.Equal("streaming", sender["state"]!.GetValue<string>());
        Assert.Equal("async", sender["syncState"]!.GetValue<string>());
        Assert.True(sender["pid"]!.GetValue<int>() > 0);
        Assert.Equal(0, sender["replayLagSeconds"]!.GetValue<double>());
        var standby = Standby(sample);
        Assert.Equal("streaming", standby["state"]!.GetValue<string>());
        Assert.Equal("streaming", standby["receiverStatus"]!.GetValue<string>());
        Assert.True(standby["inRecovery"]!.GetValue<bool>());
        Assert.Equal(0, standby["receiveReplayGapBytes"]!.GetValue<long>());
        Assert.Equal(_ports[0], standby["senderPort"]!.GetValue<int>());
        Assert.Contains(standby["processes"]!.AsArray(), p => p!["kind"]!.GetValue<string>() == "walreceiver" && p["pid"]!.GetValue<int>() == standby["pid"]!.GetValue<int>());
        Assert.Contains(sample["primary"]!["processes"]!.AsArray(), p => p!["kind"]!.GetValue<string>() == "walsender" && p["pid"]!.GetValue<int>() == sender["pid"]!.GetValue<int>());
        Assert.Contains(sample["primary"]!["slots"]!.AsArray(), s => s!["name"]!.GetValue<string>() == "watched_standby1" && s["active"]!.GetValue<bool>());

        // The figures a DBA reads at a glance, from both ends.
        var figures = sample["primary"]!["figures"]!.AsObject();
        Assert.InRange(figures["serverVersion"]!.GetValue<int>(), 150000, 159999);
        Assert.StartsWith("15.", figures["versionText"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, figures["timeline"]!.GetValue<int>());
        Assert.True(figures["connections"]!.GetValue<int>() >= 1);
        Assert.True(DateTimeOffset.Parse(figures["startedAt"]!.ToString(), System.Globalization.CultureInfo.InvariantCulture) < DateTimeOffset.UtcNow);
        Assert.True(figures["transactions"]!.GetValue<long>() > 0);
        var standbyFigures = standby["figures"]!.AsObject();
        Assert.Equal(1, standbyFigures["timeline"]!.GetValue<int>());
        Assert.Equal(0, standbyFigures["recoveryConflicts"]!.GetValue<long>());

        // Idle primary for 30 s: the guarded replay delay never grows.
        var delays = new List<double>();
        var seen = new HashSet<string>();
        var until = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < until)
        {
            var current = await LatestAsync();
            if (seen.Add(current["sampledAt"]!.ToString()))
            {
                delays.Add(Standby(current)["replayDelaySeconds"]!.GetValue<double>());
            }

            await Task.Delay(400);
        }

        Assert.True(delays.Count >= 20, $"only {delays.Count} samples in 30 s at a 1 s interval");
        Assert.All(delays, d => Assert.Equal(0, d));
    }

    [Fact]
    public async Task Under_pgbench_writes_byte_lag_is_seen_and_returns_to_zero_after_the_load()
    {
        await WaitForAsync(s => Health(s) == "healthy", TimeSpan.FromSeconds(20));
        var bin = LocalPostgres.BinDirectory;
        var init = await LocalPostgres.RunAsync($"{bin}/pgbench -i -q -s 5 -h {LocalPostgres.SocketDirectory} -p {_ports[0]} postgres");
        Assert.True(init.Succeeded, init.Output);
        var load = LocalPostgres.RunAsync($"{bin}/pgbench -n -c 4 -j 2 -T 12 -h {LocalPostgres.SocketDirectory} -p {_ports[0]} postgres");
        var lags = new List<long>();
        var rates = new List<(double Tps, double Wal)>();
        var seen = new HashSet<string>();
        while (!load.IsCompleted)
        {
            var current = await LatestAsync();
            if (seen.Add(current["sampledAt"]!.ToString()))
            {
                var figures = current["primary"]!["figures"];
                rates.Add((figures?["transactionsPerSecond"]?.GetValue<double>() ?? 0, figures?["walBytesPerSecond"]?.GetValue<double>() ?? 0));
                var sender = current["primary"]!["senders"]!.AsArray().FirstOrDefault()?.AsObject();
                lags.Add(new[] { sender?["sentLagBytes"], sender?["replayLagBytes"], sender?["flushLagBytes"], Standby(current)["receiveReplayGapBytes"] }
                    .Max(v => v?.GetValue<long>() ?? 0));
            }

            await Task.Delay(250);
        }

        Assert.True((await load).Succeeded);
        Assert.True(lags.Any(l => l > 0), $"no byte lag seen in {lags.Count} samples under pgbench");
        Assert.True(rates.Any(r => r.Tps > 10), $"transactions per second under pgbench: {string.Join(", ", rates.Select(r => r.Tps))}");
        Assert.True(rates.Any(r => r.Wal > 1024), $"WAL per second under pgbench: {string.Join(", ", rates.Select(r => r.Wal))}");
        var after = await WaitForAsync(s => Standby(s)["replayLagBytes"]?.GetValue<long>() == 0 && Standby(s)["receiveReplayGapBytes"]?.GetValue<long>() == 0, TimeSpan.FromSeconds(30));
        Assert.Equal("healthy", Health(after));
    }

    [Fact]
    public async Task A_stopped_standby_is_flagged_within_two_intervals_alerts_and_recovers_and_a_stopped_primary_is_cluster_down()
    {
        await WaitForAsync(s => Health(s) == "healthy", TimeSpan.FromSeconds(20));
        var standbyData = Path.Combine(DataDirectory, "clusters", "watched", "standby1");
        var stopAsked = DateTimeOffset.UtcNow;
        var stop = await LocalPostgres.RunAsync($"{LocalPostgres.BinDirectory}/pg_ctl stop -D {standbyData} -m fast -w");
        Assert.True(stop.Succeeded, stop.Output);
        var stoppedAt = DateTimeOffset.UtcNow;

        // The standby is down once pg_ctl returns (it may go down a little before): the first sample that says so is
        // taken at most two 1 s intervals after that, and no sample after it says streaming.
        var flagged = await WaitForAsync(s => Standby(s)["state"]!.GetValue<string>() is "down" or "disconnected", TimeSpan.FromSeconds(10));
        var samples = (await HistoryAsync(stopAsked.AddSeconds(-0.5))).Where(p => p.At >= stopAsked).OrderBy(p => p.At).ToList();
        var firstFlagged = samples.FindIndex(p => p.State is "down" or "disconnected");
        Assert.True(firstFlagged >= 0, $"no flagged sample in the history since the stop: {string.Join(", ", samples.Select(p => $"{p.At:HH:mm:ss.fff} {p.State}"))}");
        Assert.True(samples[firstFlagged].At - stoppedAt <= TimeSpan.FromSeconds(2),
            $"flagged at {samples[firstFlagged].At:HH:mm:ss.fff}, stopped at {stoppedAt:HH:mm:ss.fff}");
        Assert.DoesNotContain(samples.Skip(firstFlagged), p => p.State == "streaming");
        Assert.Equal("degraded", Health(flagged));
        await WaitForAlertAsync("raised");

        var start = await LocalPostgres.RunAsync($"{LocalPostgres.BinDirectory}/pg_ctl start -D {standbyData} -l {standbyData}.log -w");
        Assert.True(start.Succeeded, start.Output);
        await WaitForAsync(s => Health(s) == "healthy" && Standby(s)["state"]!.GetValue<string>() == "streaming", TimeSpan.FromSeconds(30));
        await WaitForAlertAsync("cleared");

        var primaryData = Path.Combine(DataDirectory, "clusters", "watched", "primary");
        Assert.True((await LocalPostgres.RunAsync($"{LocalPostgres.BinDirectory}/pg_ctl stop -D {primaryData} -m fast -w")).Succeeded);
        var down = await WaitForAsync(s => Health(s) == "down", TimeSpan.FromSeconds(10));
        Assert.False(down["primary"]!["reachable"]!.GetValue<bool>());
        var later = await WaitForAsync(s => DateTimeOffset.Parse(s["sampledAt"]!.ToString(), System.Globalization.CultureInfo.InvariantCulture) >
            DateTimeOffset.Parse(down["sampledAt"]!.ToString(), System.Globalization.CultureInfo.InvariantCulture).AddSeconds(2), TimeSpan.FromSeconds(10));
        Assert.Equal("down", Health(later));

        var clusters = await Client.GetFromJsonAsync<JsonArray>("/api/clusters");
        Assert.Equal("down", clusters!.Single()!["health"]!.GetValue<string>());
        var alerts = await Client.GetFromJsonAsync<JsonObject>("/api/clusters/watched/alerts");
        Assert.Contains(alerts!["recent"]!.AsArray(), a => a!["kind"]!.GetValue<string>() == "cleared");
    }

    [Fact]
    public async Task Paused_replay_is_its_own_state_in_the_api_the_metrics_and_an_alert_whose_figures_follow_the_lag()
    {
        await WaitForAsync(s => Health(s) == "healthy", TimeSpan.FromSeconds(20));
        var psql = $"{LocalPostgres.BinDirectory}/psql -X -q -At -v ON_ERROR_STOP=1 -h {LocalPostgres.SocketDirectory} -d postgres";
        var pause = await LocalPostgres.RunAsync($"{psql} -p {_ports[1]} -c 'SELECT pg_wal_replay_pause()'");
        Assert.True(pause.Succeeded, pause.Output);
        var write = await LocalPostgres.RunAsync($"{psql} -p {_ports[0]} -c 'CREATE TABLE paused_replay AS SELECT g FROM generate_series(1, 20000) g'");
        Assert.True(write.Succeeded, write.Output);

        // The receiver still streams; replay stands still: not "catching-up", not "streaming".
        var paused = await WaitForAsync(s => Standby(s)["state"]!.GetValue<string>() == "replay-paused", TimeSpan.FromSeconds(10));
        Assert.Equal("streaming", Standby(paused)["receiverStatus"]!.GetValue<string>());
        Assert.True(Standby(paused)["receiveReplayGapBytes"]!.GetValue<long>() > 0);
        Assert.Equal("degraded", Health(paused));
        Assert.Contains(paused["reasons"]!.AsArray(), r => r!.GetValue<string>().Contains("WAL replay is paused", StringComparison.Ordinal));
        var metrics = await Client.GetStringAsync("/metrics");
        Assert.Contains("pgpanel_standby_state{cluster=\"watched\",node=\"standby1\",state=\"replay-paused\"} 1", metrics);
        JsonObject? raised = null;
        for (var i = 0; i < 100 && raised is null; i++)
        {
            raised = _webhook.Received.FirstOrDefault(a => a["rule"]?.GetValue<string>() == "replay-paused" && a["kind"]!.GetValue<string>() == "raised");
            await Task.Delay(raised is null ? 100 : 0);
        }

        Assert.NotNull(raised);
        Assert.Matches(@"received and not replayed", raised!["message"]!.GetValue<string>());

        // While the alert stays raised its text follows the lag (in binary units, never a bare byte count).
        var more = await LocalPostgres.RunAsync($"{psql} -p {_ports[0]} -c 'INSERT INTO paused_replay SELECT g FROM generate_series(1, 200000) g'");
        Assert.True(more.Succeeded, more.Output);
        var grown = await WaitForAsync(s => Standby(s)["receiveReplayGapBytes"]!.GetValue<long>() > 4 * 1024 * 1024, TimeSpan.FromSeconds(10));
        JsonObject? active = null;
        for (var i = 0; i < 50; i++)
        {
            var alerts = await Client.GetFromJsonAsync<JsonObject>("/api/clusters/watched/alerts");
            active = alerts!["active"]!.AsArray().Select(a => a!.AsObject()).FirstOrDefault(a => a["rule"]!.GetValue<string>() == "replay-paused");
            if (active is not null && active["message"]!.GetValue<string>() != raised["message"]!.GetValue<string>())
            {
                break;
            }

            await Task.Delay(200);
        }

        Assert.NotNull(active);
        Assert.Matches(@"\d+\.\d (KiB|MiB) received and not replayed", active!["message"]!.GetValue<string>());
        Assert.NotEqual(raised["message"]!.GetValue<string>(), active["message"]!.GetValue<string>());

        var resume = await LocalPostgres.RunAsync($"{psql} -p {_ports[1]} -c 'SELECT pg_wal_replay_resume()'");
        Assert.True(resume.Succeeded, resume.Output);
        await WaitForAsync(s => Standby(s)["state"]!.GetValue<string>() == "streaming" && Health(s) == "healthy", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task The_monitor_keeps_its_sessions_on_both_nodes_while_targets_are_reloaded()
    {
        await WaitForAsync(s => Health(s) == "healthy", TimeSpan.FromSeconds(20));
        const string sessions = "SELECT string_agg(pid || '@' || backend_start, ',' ORDER BY pid) FROM pg_stat_activity WHERE application_name = 'pgpanel-monitor'";
        var first = (Primary: await LocalPostgres.QueryAsync(_ports[0], sessions), Standby: await LocalPostgres.QueryAsync(_ports[1], sessions));
        Assert.False(string.IsNullOrEmpty(first.Primary), "no monitor session on the primary");
        Assert.False(string.IsNullOrEmpty(first.Standby), "no monitor session on the standby");

        // 60 s at a 1 s interval: about 60 samples and ten reloads of the targets (each unseals the password anew).
        for (var i = 0; i < 6; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(10));
            Assert.Equal(first.Primary, await LocalPostgres.QueryAsync(_ports[0], sessions));
            Assert.Equal(first.Standby, await LocalPostgres.QueryAsync(_ports[1], sessions));
        }

        Assert.Equal(2, Panel.Services.GetRequiredService<PgPanel.Core.Monitoring.NodeSources>().Built);
    }

    [Fact]
    public async Task Metrics_expose_lag_and_state_per_standby_behind_the_token()
    {
        await WaitForAsync(s => Health(s) == "healthy", TimeSpan.FromSeconds(20));
        var text = await Client.GetStringAsync("/metrics");
        Assert.Contains("pgpanel_replication_lag_bytes{cluster=\"watched\",node=\"standby1\"} 0", text);
        Assert.Contains("pgpanel_standby_state{cluster=\"watched\",node=\"standby1\",state=\"streaming\"} 1", text);
        Assert.Contains("pgpanel_cluster_health{cluster=\"watched\",health=\"healthy\"} 1", text);
        using var anonymous = Panel.CreateClient();
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics")).StatusCode);
    }

    private async Task<JsonObject> LatestAsync()
    {
        var response = await Client.GetAsync("/api/clusters/watched/replication");
        return response.IsSuccessStatusCode ? (await response.Content.ReadFromJsonAsync<JsonObject>())! : new JsonObject { ["sampledAt"] = "none", ["health"] = "none" };
    }

    private async Task<JsonObject> WaitForAsync(Func<JsonObject, bool> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        JsonObject last = new();
        while (DateTime.UtcNow < deadline)
        {
            last = await LatestAsync();
            if (last["health"]!.ToString() != "none" && condition(last))
            {
                return last;
            }

            await Task.Delay(200);
        }

        Assert.Fail($"condition not met within {limit}; last sample: {last.ToJsonString()}");
        return last;
    }

    private async Task<List<(DateTimeOffset At, string State)>> HistoryAsync(DateTimeOffset from)
    {
        var history = await Client.GetFromJsonAsync<JsonObject>($"/api/clusters/watched/replication/history?from={Uri.EscapeDataString(from.ToString("O"))}");
        Assert.Contains(history!["resolution"]!.GetValue<string>(), new[] { "sample", "mixed" });
        return history["points"]!.AsArray().Select(p => (DateTimeOffset.Parse(p!["at"]!.ToString(), System.Globalization.CultureInfo.InvariantCulture), p["state"]!.GetValue<string>())).ToList();
    }

    private async Task WaitForAlertAsync(string kind)
    {
        for (var i = 0; i < 100 && !_webhook.Received.Any(a => a["kind"]!.GetValue<string>() == kind && a["node"]!.GetValue<string>() == "standby1"); i++)
        {
            await Task.Delay(100);
        }

        Assert.Contains(_webhook.Received, a => a["kind"]!.GetValue<string>() == kind && a["node"]!.GetValue<string>() == "standby1"
            && a["cluster"]!.GetValue<string>() == "watched");
    }

    private static string Health(JsonObject sample) => sample["health"]!.GetValue<string>();

    private static JsonObject Standby(JsonObject sample) => sample["standbys"]!.AsArray().Single()!.AsObject();
}
