using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using PgPanel.Core.Hosts;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.Integration.Faults;

/// <summary>
/// The store under a running job: locked by another process for 75 s, or made immutable. The job fails with the reason,
/// the panel (a real process) stays up and answers /healthz with the store's state, and the next job runs.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class StoreFaultTests() : PanelDirectoryTest("store")
{
    /// <summary>The store made mutable again, so that the directory can be removed.</summary>
    protected override async Task ReleaseAsync() =>
        await LocalShell.RunOnceAsync(new ShellCommand($"chattr -i {DataDirectory}/pgpanel.db* 2>/dev/null || true"));

    private string Database => Path.Combine(DataDirectory, "pgpanel.db");

    /// <summary>A pair whose primary holds about 40 MB, and the same cluster with a second standby cloned at 1 MB/s.</summary>
    private static async Task<(JsonObject Spec, Guid Job)> StartSlowCloneAsync(HttpClient client, int[] ports, string name)
    {
        var spec = Api.LocalSpec(name, ports[0], ports[1]);
        var first = await Api.WaitForJobAsync(client, await Api.StartJobAsync(client, spec));
        Assert.True(Api.Status(first) == "succeeded", Api.Describe(first));
        await LocalPostgres.QueryAsync(ports[0], "CREATE TABLE filler AS SELECT g, md5(g::text) || md5((g + 1)::text) AS pad FROM generate_series(1, 350000) g");
        spec["standbys"]!.AsArray().Add(new JsonObject { ["host"] = "127.0.0.1", ["port"] = ports[2], ["connection"] = new JsonObject { ["kind"] = "local" } });
        spec["replication"]!["cloneMaxRate"] = "1M";
        var id = await Api.StartJobAsync(client, spec);
        var cloning = await Poll.UntilAsync(async () =>
        {
            var job = await Api.GetJobAsync(client, id);
            var clone = Api.Steps(job).SingleOrDefault(s => s["stepId"]!.GetValue<string>() == "clone-standby2");
            return clone is not null && Api.Status(clone) == "running" && (clone["progress"]?.GetValue<int>() ?? 0) >= 1 ? "cloning" : Api.Describe(job);
        }, "cloning", TimeSpan.FromMinutes(2));
        Assert.Equal("cloning", cloning);
        return (spec, id);
    }

    private static async Task<(HttpStatusCode Status, string Body)> HealthAsync(PanelProcess panel)
    {
        using var anonymous = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{panel.Port}"), Timeout = TimeSpan.FromSeconds(10) };
        var response = await anonymous.GetAsync("/healthz");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_store_locked_for_75_s_fails_the_running_job_keeps_the_panel_up_and_the_next_job_runs()
    {
        var ports = FreePorts.Take(3);
        await using var panel = await BuiltPanel.StartAsync(DataDirectory);
        using var client = panel.CreateApiClient();
        var (spec, id) = await StartSlowCloneAsync(client, ports, "locked");

        // Another process holds the write lock for 75 s: longer than SQLite's 30 s busy timeout.
        await using (var locker = new SqliteConnection($"Data Source={Database};Default Timeout=5"))
        {
            await locker.OpenAsync();
            await using (var begin = locker.CreateCommand())
            {
                begin.CommandText = "BEGIN EXCLUSIVE";
                await begin.ExecuteNonQueryAsync();
            }

            var lockedAt = DateTime.UtcNow;
            await Task.Delay(TimeSpan.FromSeconds(5));
            var (status, body) = await HealthAsync(panel);
            Assert.True(status == HttpStatusCode.ServiceUnavailable, body);
            Assert.Contains("locked", body, StringComparison.Ordinal);

            await Task.Delay(TimeSpan.FromSeconds(75) - (DateTime.UtcNow - lockedAt));
            Assert.False(panel.HasExited, panel.Log);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await HealthAsync(panel)).Status);
            await using var rollback = locker.CreateCommand();
            rollback.CommandText = "ROLLBACK";
            await rollback.ExecuteNonQueryAsync();
        }

        // The job is failed as soon as the store takes writes again, and says why.
        var failed = await Api.WaitForJobAsync(client, id, TimeSpan.FromMinutes(2));
        Assert.True(Api.Status(failed) == "failed", Api.Describe(failed));
        Assert.Contains("store", failed["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain(Api.Steps(failed), s => Api.Status(s) == "running");
        Assert.Equal(HttpStatusCode.OK, (await HealthAsync(panel)).Status);

        // The panel goes on: the job resumes to streaming.
        var resume = await client.PostAsync($"/api/jobs/{id}/resume", null);
        Assert.True(resume.IsSuccessStatusCode, await resume.Content.ReadAsStringAsync());
        var done = await Api.WaitForJobAsync(client, id, TimeSpan.FromMinutes(4));
        Assert.True(Api.Status(done) == "succeeded", Api.Describe(done));
        Assert.Equal("2", await LocalPostgres.QueryAsync(ports[0], "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"));
        _ = spec;
    }

    [Fact]
    public async Task An_immutable_store_fails_the_running_job_without_ending_the_panel()
    {
        var ports = FreePorts.Take(3);
        await using var panel = await BuiltPanel.StartAsync(DataDirectory);
        using var client = panel.CreateApiClient();
        var (_, id) = await StartSlowCloneAsync(client, ports, "immutable");

        var chattr = await LocalShell.RunOnceAsync(new ShellCommand($"chattr +i {Database} && ls {Database}*"));
        Assert.True(chattr.Succeeded, chattr.Output);
        try
        {
            var unhealthy = await Poll.UntilAsync(async () => (await HealthAsync(panel)).Status.ToString(), nameof(HttpStatusCode.ServiceUnavailable), TimeSpan.FromSeconds(30));
            Assert.Equal(nameof(HttpStatusCode.ServiceUnavailable), unhealthy);

            // A change that cannot be recorded is not made: the clone is stopped. The panel is not.
            // (A pattern that does not match itself, so pgrep does not find the shell that runs it.)
            var staging = Path.Combine(DataDirectory, "clusters", "immutable", "[.]standby2[.]pgpanel-clone");
            var stopped = await Poll.UntilAsync(async () => (await LocalShell.RunOnceAsync(new ShellCommand($"pgrep -f -- '{staging}' || true"))).Output.Trim(), "", TimeSpan.FromMinutes(1));
            Assert.Equal("", stopped);
            await Task.Delay(TimeSpan.FromSeconds(5));
            Assert.False(panel.HasExited, panel.Log);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await HealthAsync(panel)).Status);
        }
        finally
        {
            await LocalShell.RunOnceAsync(new ShellCommand($"chattr -i {Database}*"));
        }

        var failed = await Api.WaitForJobAsync(client, id, TimeSpan.FromMinutes(2));
        Assert.True(Api.Status(failed) == "failed", Api.Describe(failed));
        Assert.Contains("store", failed["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await HealthAsync(panel)).Status);
        var more = FreePorts.Take(2);
        var next = await Api.WaitForJobAsync(client, await Api.StartJobAsync(client, Api.LocalSpec("afterwards", more[0], more[1])));
        Assert.True(Api.Status(next) == "succeeded", Api.Describe(next));
    }
}
