using System.Net;
using System.Text.Json.Nodes;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.Integration.Faults;

/// <summary>
/// Faults of the hosts under a running job, on the SSH test bed: a host that freezes, a link that is cut during a
/// clone, a panel killed with kill -9 during a clone, a login that cannot become root. Each fails the job (or stops it
/// before anything changes), leaves no process and no slot behind, and never ends the panel.
/// </summary>
[Collection(TestbedCollection.Name)]
public sealed class SshFaultTests(Testbed bed) : TestbedPanelTest(bed, "faults", [1, 2, 3])
{
    private const string FillerRows = "700000";

    /// <summary>A pair on hosts 1 → 3 with data, then a second standby on host 2 cloned slowly; returns when the clone runs.</summary>
    private async Task<(JsonObject Spec, Guid Job)> StartSlowCloneAsync(HttpClient client, string name)
    {
        var first = await Api.WaitForJobAsync(client, await Api.StartJobAsync(client, Bed.Spec(name, 1, [3], () => Bed.RootConnection())));
        Assert.True(Api.Status(first) == "succeeded", Api.Describe(first));
        await Bed.QueryAsync(1, $"CREATE TABLE filler AS SELECT g AS id, md5(g::text) || md5((g + 1)::text) AS pad FROM generate_series(1, {FillerRows}) g");
        var spec = Bed.Spec(name, 1, [3, 2], () => Bed.RootConnection());
        spec["replication"]!["cloneMaxRate"] = "4M";
        var id = await Api.StartJobAsync(client, spec);
        var cloning = await Poll.UntilAsync(async () =>
        {
            var job = await Api.GetJobAsync(client, id);
            var clone = Api.Steps(job).SingleOrDefault(s => s["stepId"]!.GetValue<string>() == "clone-standby2");
            return clone is not null && Api.Status(clone) == "running" && (clone["progress"]?.GetValue<int>() ?? 0) >= 3 ? "cloning" : Api.Describe(job);
        }, "cloning", TimeSpan.FromMinutes(2));
        Assert.Equal("cloning", cloning);
        return (spec, id);
    }

    private Task<string> BaseBackupsOnAsync(int host) => Bed.ExecAsync(host, "pgrep -a pg_basebackup || true");

    private Task<string> SlotAsync(string name) =>
        Bed.QueryAsync(1, $"SELECT coalesce(string_agg(slot_name || ':' || active, ','), 'none') FROM pg_replication_slots WHERE slot_name = '{name}_standby2'");

    [Fact]
    public async Task A_frozen_host_fails_its_job_within_seconds_and_the_panel_and_the_next_job_go_on()
    {
        var (_, id) = await StartSlowCloneAsync(Client, "frozen");

        // The standby's SSH session processes stop answering (the host hangs); its TCP stack still acknowledges.
        await Bed.ExecAsync(2, "pkill -STOP -f 'sshd: root@'");
        var frozenAt = DateTime.UtcNow;
        JsonObject failed;
        try
        {
            failed = await Api.WaitForJobAsync(Client, id, TimeSpan.FromMinutes(2));
        }
        finally
        {
            await Bed.ExecAsync(2, "pkill -CONT -f 'sshd: root@' || true");
        }

        Assert.True(Api.Status(failed) == "failed", Api.Describe(failed));
        Assert.True(DateTime.UtcNow - frozenAt < TimeSpan.FromSeconds(60), $"the frozen host was noticed after {(DateTime.UtcNow - frozenAt).TotalSeconds:0} s");
        var clone = Api.Steps(failed).Single(s => s["stepId"]!.GetValue<string>() == "clone-standby2");
        Assert.Equal("failed", Api.Status(clone));
        Assert.Contains("gave no sign of life", clone["output"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("is gone from the primary", clone["output"]!.GetValue<string>(), StringComparison.Ordinal);

        // The panel is up, and the next job runs.
        using var anonymous = Panel.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
        var next = await Api.WaitForJobAsync(Client, await Api.StartJobAsync(Client, Bed.Spec("frozen", 1, [3], () => Bed.RootConnection())));
        Assert.True(Api.Status(next) == "succeeded", Api.Describe(next));
    }

    [Fact]
    public async Task A_link_cut_during_a_clone_fails_the_job_within_a_minute_and_leaves_no_process_and_no_slot()
    {
        var (spec, id) = await StartSlowCloneAsync(Client, "cut");
        var link = await PgPanel.Core.Hosts.LocalShell.RunOnceAsync(new PgPanel.Core.Hosts.ShellCommand("ip link set pgpv2 down"));
        Assert.True(link.Succeeded, link.Output);
        var cutAt = DateTime.UtcNow;
        try
        {
            var failed = await Api.WaitForJobAsync(Client, id, TimeSpan.FromMinutes(3));
            Assert.True(Api.Status(failed) == "failed", Api.Describe(failed));
            Assert.True(DateTime.UtcNow - cutAt < TimeSpan.FromSeconds(60), $"the cut link was noticed after {(DateTime.UtcNow - cutAt).TotalSeconds:0} s");
            var clone = Api.Steps(failed).Single(s => s["stepId"]!.GetValue<string>() == "clone-standby2")["output"]!.GetValue<string>();
            Assert.True(await SlotAsync("cut") == "none", clone);

            // The standby ends its clone by itself (keepalives towards the primary): nothing is left running there.
            Assert.Equal("", await Poll.UntilAsync(() => BaseBackupsOnAsync(2), "", TimeSpan.FromSeconds(60)));
        }
        finally
        {
            await PgPanel.Core.Hosts.LocalShell.RunOnceAsync(new PgPanel.Core.Hosts.ShellCommand("ip link set pgpv2 up"));
        }

        // With the link back, resume converges.
        var resume = await Client.PostAsync($"/api/jobs/{id}/resume", null);
        Assert.True(resume.IsSuccessStatusCode, await resume.Content.ReadAsStringAsync());
        var done = await Api.WaitForJobAsync(Client, id, TimeSpan.FromMinutes(5));
        Assert.True(Api.Status(done) == "succeeded", Api.Describe(done));
        Assert.Equal("cut_standby2:true", await SlotAsync("cut"));
        _ = spec;
    }

    [Fact]
    public async Task Kill_9_of_the_panel_during_a_clone_leaves_no_orphan_and_no_active_slot_and_resume_converges()
    {
        var data = Path.Combine(DataDirectory, "panel");
        Directory.CreateDirectory(data);
        Guid id;
        await using (var first = await BuiltPanel.StartAsync(data))
        {
            using var client = first.CreateApiClient();
            (_, id) = await StartSlowCloneAsync(client, "killed");
            first.Kill();
        }

        // The standby notices that the panel's session is gone: it ends pg_basebackup with its WAL-streaming child and
        // gives the slot back, by itself, within seconds.
        Assert.Equal("", await Poll.UntilAsync(() => BaseBackupsOnAsync(2), "", TimeSpan.FromSeconds(30)));
        var slot = await Poll.UntilAsync(() => SlotAsync("killed"), "none", TimeSpan.FromSeconds(30));
        Assert.True(slot == "none", slot + "\n" + await Bed.ExecAsync(1, "tail -n 30 /var/log/postgresql/postgresql-15-main.log"));

        await using var second = await BuiltPanel.StartAsync(data);
        using var api = second.CreateApiClient();
        Assert.Equal("interrupted", Api.Status(await Api.GetJobAsync(api, id)));
        var resume = await api.PostAsync($"/api/jobs/{id}/resume", null);
        Assert.True(resume.IsSuccessStatusCode, await resume.Content.ReadAsStringAsync());
        var done = await Api.WaitForJobAsync(api, id, TimeSpan.FromMinutes(5));
        Assert.True(Api.Status(done) == "succeeded", Api.Describe(done));
        Assert.Equal("killed_standby2:true", await SlotAsync("killed"));
        Assert.Equal("", await BaseBackupsOnAsync(2));
        Assert.Equal("t", await Bed.QueryAsync(2, "SELECT pg_is_in_recovery()"));
    }

    [Fact]
    public async Task A_login_that_cannot_become_root_stops_the_job_before_any_host_changes()
    {
        var spec = Bed.Spec("noroot", 1, [2], () => Bed.RootConnection());
        // pgdba logs in with the key: no password, so no sudo password to try, and sudo -n is refused.
        spec["standbys"]![0]!["connection"] = new JsonObject { ["kind"] = "ssh", ["port"] = 22, ["user"] = Bed.NonRootUser, ["privateKey"] = Bed.Ed25519Key };
        var job = await Api.WaitForJobAsync(Client, await Api.StartJobAsync(Client, spec));
        Assert.Equal("failed", Api.Status(job));
        var failed = Assert.Single(Api.Steps(job), s => Api.Status(s) == "failed");
        Assert.Equal("preflight-root-standby1", failed["stepId"]!.GetValue<string>());
        Assert.Contains("is not root and cannot use sudo", failed["output"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain(Api.Steps(job), s => Api.Status(s) == "changed");
        Assert.Equal("", await Bed.ExecAsync(1, "ls -A /var/lib/postgresql /etc/postgresql | grep -v ':$' || true"));
    }

    [Fact]
    public async Task A_sudo_password_of_a_failed_run_is_not_reused_and_the_error_names_where_credentials_came_from()
    {
        var spec = Bed.Spec("reuse", 1, [2], () => Bed.RootConnection());
        spec["standbys"]![0]!["connection"] = new JsonObject
        {
            ["kind"] = "ssh", ["port"] = 22, ["user"] = Bed.NonRootUser, ["privateKey"] = Bed.Ed25519Key, ["sudoPassword"] = Bed.NonRootPassword,
        };
        // A first run fails on purpose after connecting (the primary's port is taken).
        await Bed.ExecAsync(1, "nohup python3 -c 'import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((\"0.0.0.0\", 5432)); s.listen(); time.sleep(600)' >/dev/null 2>&1 & echo $! > /tmp/port-holder.pid");
        try
        {
            var failed = await Api.WaitForJobAsync(Client, await Api.StartJobAsync(Client, spec));
            Assert.Equal("failed", Api.Status(failed));
            Assert.Equal("preflight-port-primary", Assert.Single(Api.Steps(failed), s => Api.Status(s) == "failed")["stepId"]!.GetValue<string>());
        }
        finally
        {
            await Bed.ExecAsync(1, "kill $(cat /tmp/port-holder.pid) 2>/dev/null || true");
        }

        // The same spec without the sudo password: the failed run's password is not reused.
        spec["standbys"]![0]!["connection"]!.AsObject().Remove("sudoPassword");
        var again = await Api.WaitForJobAsync(Client, await Api.StartJobAsync(Client, spec));
        Assert.Equal("failed", Api.Status(again));
        Assert.Equal("preflight-root-standby1", Assert.Single(Api.Steps(again), s => Api.Status(s) == "failed")["stepId"]!.GetValue<string>());

        // A wrong password from the spec is named as coming from the spec.
        spec["standbys"]![0]!["connection"] = Bed.NonRootConnection("not-the-password-9");
        var wrong = await Api.WaitForJobAsync(Client, await Api.StartJobAsync(Client, spec));
        var connect = Assert.Single(Api.Steps(wrong));
        Assert.Contains("ssh.standby1.password (the spec)", connect["output"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password-9", wrong.ToJsonString(), StringComparison.Ordinal);
    }
}
