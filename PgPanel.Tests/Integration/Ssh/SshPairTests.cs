using System.Net.Http.Json;
using System.Text.Json.Nodes;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.Integration.Ssh;

/// <summary>Primary and standby on two test-bed hosts, provisioned over SSH through the API (Debian layout, no systemd).</summary>
[Collection(TestbedCollection.Name)]
public sealed class SshPairTests(Testbed bed) : TestbedPanelTest(bed, "ssh", [1, 2, 3])
{
    [Fact]
    public async Task Root_over_ssh_streams_from_host_a_to_host_b_and_a_second_run_changes_nothing()
    {
        var spec = Bed.Spec("sshpair", 1, [2], () => Bed.RootConnection());
        var job = await Api.WaitForJobAsync(Client, await Api.StartJobAsync(Client, spec));
        Assert.True(Api.Status(job) == "succeeded", Api.Describe(job));

        Assert.Equal($"sshpair_standby1|{Bed.Host(2)}|streaming", await Bed.QueryAsync(1, "SELECT application_name, client_addr, state FROM pg_stat_replication"));
        Assert.Equal("t", await Bed.QueryAsync(2, "SELECT pg_is_in_recovery()"));
        Assert.Contains("15/main", await Bed.ExecAsync(2, "pg_lsclusters -h"));
        Assert.Contains("online,recovery", await Bed.ExecAsync(2, "pg_lsclusters -h"));
        await Bed.QueryAsync(1, "CREATE TABLE canary AS SELECT 'crossed-over-ssh'::text AS v");
        Assert.Equal("crossed-over-ssh", await Poll.UntilAsync(() => Bed.QueryAsync(2, "SELECT v FROM canary"), "crossed-over-ssh"));

        // pg_hba on the standby already admits the primary's address, for a later switchover.
        Assert.Contains($"{Bed.Host(1)}/32", await Bed.ExecAsync(2, "cat /etc/postgresql/15/main/pg_hba.conf"));
        Assert.Contains($"{Bed.Host(2)}/32", await Bed.ExecAsync(1, "cat /etc/postgresql/15/main/pg_hba.conf"));
        var connect = Api.Steps(job).First();
        Assert.Equal("connect", connect["stepId"]!.GetValue<string>());
        Assert.Contains(await Bed.FingerprintAsync(2), connect["output"]!.GetValue<string>());

        var again = await Api.WaitForJobAsync(Client, await Api.StartJobAsync(Client, spec));
        Assert.True(Api.Status(again) == "succeeded", Api.Describe(again));
        Assert.All(Api.Steps(again), s => Assert.True(Api.Status(s) == "unchanged", $"{s["stepId"]} was {Api.Status(s)}: {s["output"]}"));
        Assert.Equal("1", await Bed.QueryAsync(1, "SELECT count(*) FROM canary"));

        // The host key is now pinned: a rebuilt host B is refused before any command runs on it.
        await Bed.RekeyAsync(2);
        var refused = await Api.WaitForJobAsync(Client, await Api.StartJobAsync(Client, spec));
        Assert.Equal("failed", Api.Status(refused));
        var failed = Assert.Single(Api.Steps(refused));
        Assert.Equal("connect", failed["stepId"]!.GetValue<string>());
        Assert.Contains(await Bed.FingerprintAsync(2), failed["output"]!.GetValue<string>());
        Assert.Contains("pinned", failed["output"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_non_root_user_with_password_sudo_builds_the_same_pair()
    {
        var spec = Bed.Spec("sudopair", 2, [3], () => Bed.NonRootConnection());
        var job = await Api.WaitForJobAsync(Client, await Api.StartJobAsync(Client, spec));
        Assert.True(Api.Status(job) == "succeeded", Api.Describe(job));
        Assert.Equal($"sudopair_standby1|{Bed.Host(3)}|streaming", await Bed.QueryAsync(2, "SELECT application_name, client_addr, state FROM pg_stat_replication"));
        Assert.Equal("t", await Bed.QueryAsync(3, "SELECT pg_is_in_recovery()"));
        Assert.DoesNotContain(Bed.NonRootPassword, job.ToJsonString());
    }

    [Fact]
    public async Task An_unreachable_standby_or_a_wrong_password_fails_before_anything_changes_on_the_primary()
    {
        await Bed.StopSshdAsync(2);
        var unreachable = await Api.WaitForJobAsync(Client, await Api.StartJobAsync(Client, Bed.Spec("nobody", 1, [2], () => Bed.RootConnection())));
        Assert.Equal("failed", Api.Status(unreachable));
        Assert.Contains($"Cannot reach {Bed.Host(2)}:22", Assert.Single(Api.Steps(unreachable))["output"]!.GetValue<string>());
        await Bed.StartSshdAsync(2);

        var spec = Bed.Spec("wrongpw", 1, [2], () => Bed.RootConnection());
        spec["standbys"]![0]!["connection"] = Bed.NonRootConnection("not-the-password-1");
        var refused = await Api.WaitForJobAsync(Client, await Api.StartJobAsync(Client, spec));
        Assert.Equal("failed", Api.Status(refused));
        Assert.Contains("refused the credentials", Assert.Single(Api.Steps(refused))["output"]!.GetValue<string>());

        Assert.Equal("", await Bed.ExecAsync(1, "ls -A /var/lib/postgresql /etc/postgresql | grep -v ':$' || true"));
    }

    [Fact]
    public async Task Sshd_killed_mid_clone_fails_that_step_and_resume_converges_without_b_ever_being_a_primary()
    {
        // A primary with data (standby on host 3), then a second standby on host 2 cloned at a limited rate.
        var first = await Api.WaitForJobAsync(Client, await Api.StartJobAsync(Client, Bed.Spec("midclone", 1, [3], () => Bed.RootConnection())));
        Assert.True(Api.Status(first) == "succeeded", Api.Describe(first));
        await Bed.QueryAsync(1, "CREATE TABLE filler AS SELECT g AS id, md5(g::text) || md5((g + 1)::text) AS pad FROM generate_series(1, 600000) g");
        var rows = await Bed.QueryAsync(1, "SELECT count(*) FROM filler");

        var spec = Bed.Spec("midclone", 1, [3, 2], () => Bed.RootConnection());
        spec["replication"]!["cloneMaxRate"] = "8M";
        var id = await Api.StartJobAsync(Client, spec);
        JsonObject job;
        while (true)
        {
            job = await Api.GetJobAsync(Client, id);
            var clone = Api.Steps(job).SingleOrDefault(s => s["stepId"]!.GetValue<string>() == "clone-standby2");
            Assert.True(Api.Status(job) is "queued" or "running", Api.Describe(job));
            if (clone is not null && Api.Status(clone) == "running" && (clone["progress"]?.GetValue<int>() ?? 0) >= 5)
            {
                break;
            }

            await Task.Delay(50);
        }

        await Bed.StopSshdAsync(2);
        var failed = await Api.WaitForJobAsync(Client, id, TimeSpan.FromMinutes(2));
        Assert.Equal("failed", Api.Status(failed));
        Assert.Equal("clone-standby2", Assert.Single(Api.Steps(failed), s => Api.Status(s) == "failed")["stepId"]!.GetValue<string>());
        Assert.Equal("", await Bed.ExecAsync(2, "ls -A /var/lib/postgresql/15/main 2>/dev/null || true"));

        await Bed.StartSshdAsync(2);
        var resumed = await Client.PostAsync($"/api/jobs/{id}/resume", null);
        Assert.True(resumed.IsSuccessStatusCode);
        var done = await Api.WaitForJobAsync(Client, id, TimeSpan.FromMinutes(3));
        Assert.True(Api.Status(done) == "succeeded", Api.Describe(done));

        Assert.Equal(rows, await Bed.QueryAsync(1, "SELECT count(*) FROM filler"));
        Assert.Equal(rows, await Poll.UntilAsync(() => Bed.QueryAsync(2, "SELECT count(*) FROM filler"), rows));
        Assert.Equal("t", await Bed.QueryAsync(2, "SELECT pg_is_in_recovery()"));
        Assert.Contains($"midclone_standby2|{Bed.Host(2)}|streaming", await Bed.QueryAsync(1, "SELECT application_name, client_addr, state FROM pg_stat_replication ORDER BY 1"));
        // Never a primary: same timeline as A, no timeline history of its own, and the broken first clone kept aside.
        Assert.Equal(await Bed.QueryAsync(1, "SELECT timeline_id FROM pg_control_checkpoint()"), await Bed.QueryAsync(2, "SELECT timeline_id FROM pg_control_checkpoint()"));
        Assert.Equal("", await Bed.ExecAsync(2, "ls /var/lib/postgresql/15/main/pg_wal/ | grep history || true"));
        Assert.Contains(".main.pgpanel-clone.failed-", await Bed.ExecAsync(2, "ls -A /var/lib/postgresql/15"));
    }

    [Fact]
    public async Task The_probe_endpoint_shows_a_hosts_facts_and_host_key()
    {
        var response = await Client.PostAsJsonAsync("/api/hosts/probe", new JsonObject { ["host"] = Bed.Host(1), ["port"] = 5432, ["connection"] = Bed.RootConnection() });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var facts = JsonNode.Parse(body)!.AsObject();
        Assert.Equal("debian-12", facts["os"]!.GetValue<string>());
        Assert.Contains("15", facts["postgresVersions"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(await Bed.FingerprintAsync(1), facts["hostKeyFingerprint"]!.GetValue<string>());
        Assert.False(facts["systemd"]!.GetValue<bool>());
        Assert.DoesNotContain("PRIVATE KEY", body);
    }
}
