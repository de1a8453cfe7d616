using System.Net.Http.Json;
using System.Text.Json.Nodes;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.Integration.Ssh;

/// <summary>Primary and standby on two test-bed hosts, provisioned over SSH through the API (Debian layout, no systemd).</summary>
[Collection(TestbedCollection.Name)]
public sealed class SshPairTests(Testbed bed) : IAsyncLifetime
{
    private readonly TestDirectory _directory = new("ssh");
    private PanelFactory _panel = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        for (var i = 1; i <= Testbed.Hosts; i++)
        {
            await bed.ResetAsync(i);
        }

        _panel = new PanelFactory(_directory.Path);
        _client = _panel.CreateApiClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _panel.DisposeAsync();
        for (var i = 1; i <= Testbed.Hosts; i++)
        {
            await bed.StartSshdAsync(i).ContinueWith(_ => { }, TaskScheduler.Default);
            await bed.ResetAsync(i);
        }

        _directory.Dispose();
    }

    [Fact]
    public async Task Root_over_ssh_streams_from_host_a_to_host_b_and_a_second_run_changes_nothing()
    {
        var spec = bed.Spec("sshpair", 1, [2], () => bed.RootConnection());
        var job = await Api.WaitForJobAsync(_client, await Api.StartJobAsync(_client, spec));
        Assert.True(Api.Status(job) == "succeeded", Api.Describe(job));

        Assert.Equal($"sshpair_standby1|{bed.Host(2)}|streaming", await bed.QueryAsync(1, "SELECT application_name, client_addr, state FROM pg_stat_replication"));
        Assert.Equal("t", await bed.QueryAsync(2, "SELECT pg_is_in_recovery()"));
        Assert.Contains("15/main", await bed.ExecAsync(2, "pg_lsclusters -h"));
        Assert.Contains("online,recovery", await bed.ExecAsync(2, "pg_lsclusters -h"));
        await bed.QueryAsync(1, "CREATE TABLE canary AS SELECT 'crossed-over-ssh'::text AS v");
        Assert.Equal("crossed-over-ssh", await Poll.UntilAsync(() => bed.QueryAsync(2, "SELECT v FROM canary"), "crossed-over-ssh"));

        // pg_hba on the standby already admits the primary's address, for a later switchover.
        Assert.Contains($"{bed.Host(1)}/32", await bed.ExecAsync(2, "cat /etc/postgresql/15/main/pg_hba.conf"));
        Assert.Contains($"{bed.Host(2)}/32", await bed.ExecAsync(1, "cat /etc/postgresql/15/main/pg_hba.conf"));
        var connect = Api.Steps(job).First();
        Assert.Equal("connect", connect["stepId"]!.GetValue<string>());
        Assert.Contains(await bed.FingerprintAsync(2), connect["output"]!.GetValue<string>());

        var again = await Api.WaitForJobAsync(_client, await Api.StartJobAsync(_client, spec));
        Assert.True(Api.Status(again) == "succeeded", Api.Describe(again));
        Assert.All(Api.Steps(again), s => Assert.True(Api.Status(s) == "unchanged", $"{s["stepId"]} was {Api.Status(s)}: {s["output"]}"));
        Assert.Equal("1", await bed.QueryAsync(1, "SELECT count(*) FROM canary"));

        // The host key is now pinned: a rebuilt host B is refused before any command runs on it.
        await bed.RekeyAsync(2);
        var refused = await Api.WaitForJobAsync(_client, await Api.StartJobAsync(_client, spec));
        Assert.Equal("failed", Api.Status(refused));
        var failed = Assert.Single(Api.Steps(refused));
        Assert.Equal("connect", failed["stepId"]!.GetValue<string>());
        Assert.Contains(await bed.FingerprintAsync(2), failed["output"]!.GetValue<string>());
        Assert.Contains("pinned", failed["output"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_non_root_user_with_password_sudo_builds_the_same_pair()
    {
        var spec = bed.Spec("sudopair", 2, [3], () => bed.NonRootConnection());
        var job = await Api.WaitForJobAsync(_client, await Api.StartJobAsync(_client, spec));
        Assert.True(Api.Status(job) == "succeeded", Api.Describe(job));
        Assert.Equal($"sudopair_standby1|{bed.Host(3)}|streaming", await bed.QueryAsync(2, "SELECT application_name, client_addr, state FROM pg_stat_replication"));
        Assert.Equal("t", await bed.QueryAsync(3, "SELECT pg_is_in_recovery()"));
        Assert.DoesNotContain(bed.NonRootPassword, job.ToJsonString());
    }

    [Fact]
    public async Task An_unreachable_standby_or_a_wrong_password_fails_before_anything_changes_on_the_primary()
    {
        await bed.StopSshdAsync(2);
        var unreachable = await Api.WaitForJobAsync(_client, await Api.StartJobAsync(_client, bed.Spec("nobody", 1, [2], () => bed.RootConnection())));
        Assert.Equal("failed", Api.Status(unreachable));
        Assert.Contains($"Cannot reach {bed.Host(2)}:22", Assert.Single(Api.Steps(unreachable))["output"]!.GetValue<string>());
        await bed.StartSshdAsync(2);

        var spec = bed.Spec("wrongpw", 1, [2], () => bed.RootConnection());
        spec["standbys"]![0]!["connection"] = bed.NonRootConnection("not-the-password-1");
        var refused = await Api.WaitForJobAsync(_client, await Api.StartJobAsync(_client, spec));
        Assert.Equal("failed", Api.Status(refused));
        Assert.Contains("refused the credentials", Assert.Single(Api.Steps(refused))["output"]!.GetValue<string>());

        Assert.Equal("", await bed.ExecAsync(1, "ls -A /var/lib/postgresql /etc/postgresql | grep -v ':$' || true"));
    }

    [Fact]
    public async Task Sshd_killed_mid_clone_fails_that_step_and_resume_converges_without_b_ever_being_a_primary()
    {
        // A primary with data (standby on host 3), then a second standby on host 2 cloned at a limited rate.
        var first = await Api.WaitForJobAsync(_client, await Api.StartJobAsync(_client, bed.Spec("midclone", 1, [3], () => bed.RootConnection())));
        Assert.True(Api.Status(first) == "succeeded", Api.Describe(first));
        await bed.QueryAsync(1, "CREATE TABLE filler AS SELECT g AS id, md5(g::text) || md5((g + 1)::text) AS pad FROM generate_series(1, 600000) g");
        var rows = await bed.QueryAsync(1, "SELECT count(*) FROM filler");

        var spec = bed.Spec("midclone", 1, [3, 2], () => bed.RootConnection());
        spec["replication"]!["cloneMaxRate"] = "8M";
        var id = await Api.StartJobAsync(_client, spec);
        JsonObject job;
        while (true)
        {
            job = await Api.GetJobAsync(_client, id);
            var clone = Api.Steps(job).SingleOrDefault(s => s["stepId"]!.GetValue<string>() == "clone-standby2");
            Assert.True(Api.Status(job) is "queued" or "running", Api.Describe(job));
            if (clone is not null && Api.Status(clone) == "running" && (clone["progress"]?.GetValue<int>() ?? 0) >= 5)
            {
                break;
            }

            await Task.Delay(50);
        }

        await bed.StopSshdAsync(2);
        var failed = await Api.WaitForJobAsync(_client, id, TimeSpan.FromMinutes(2));
        Assert.Equal("failed", Api.Status(failed));
        Assert.Equal("clone-standby2", Assert.Single(Api.Steps(failed), s => Api.Status(s) == "failed")["stepId"]!.GetValue<string>());
        Assert.Equal("", await bed.ExecAsync(2, "ls -A /var/lib/postgresql/15/main 2>/dev/null || true"));

        await bed.StartSshdAsync(2);
        var resumed = await _client.PostAsync($"/api/jobs/{id}/resume", null);
        Assert.True(resumed.IsSuccessStatusCode);
        var done = await Api.WaitForJobAsync(_client, id, TimeSpan.FromMinutes(3));
        Assert.True(Api.Status(done) == "succeeded", Api.Describe(done));

        Assert.Equal(rows, await bed.QueryAsync(1, "SELECT count(*) FROM filler"));
        Assert.Equal(rows, await Poll.UntilAsync(() => bed.QueryAsync(2, "SELECT count(*) FROM filler"), rows));
        Assert.Equal("t", await bed.QueryAsync(2, "SELECT pg_is_in_recovery()"));
        Assert.Contains($"midclone_standby2|{bed.Host(2)}|streaming", await bed.QueryAsync(1, "SELECT application_name, client_addr, state FROM pg_stat_replication ORDER BY 1"));
        // Never a primary: same timeline as A, no timeline history of its own, and the broken first clone kept aside.
        Assert.Equal(await bed.QueryAsync(1, "SELECT timeline_id FROM pg_control_checkpoint()"), await bed.QueryAsync(2, "SELECT timeline_id FROM pg_control_checkpoint()"));
        Assert.Equal("", await bed.ExecAsync(2, "ls /var/lib/postgresql/15/main/pg_wal/ | grep history || true"));
        Assert.Contains(".main.pgpanel-clone.failed-", await bed.ExecAsync(2, "ls -A /var/lib/postgresql/15"));
    }

    [Fact]
    public async Task The_probe_endpoint_shows_a_hosts_facts_and_host_key()
    {
        var response = await _client.PostAsJsonAsync("/api/hosts/probe", new JsonObject { ["host"] = bed.Host(1), ["port"] = 5432, ["connection"] = bed.RootConnection() });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var facts = JsonNode.Parse(body)!.AsObject();
        Assert.Equal("debian-12", facts["os"]!.GetValue<string>());
        Assert.Contains("15", facts["postgresVersions"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(await bed.FingerprintAsync(1), facts["hostKeyFingerprint"]!.GetValue<string>());
        Assert.False(facts["systemd"]!.GetValue<bool>());
        Assert.DoesNotContain("PRIVATE KEY", body);
    }
}
