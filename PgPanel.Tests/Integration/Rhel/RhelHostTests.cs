using System.Net.Http.Json;
using System.Text.Json.Nodes;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.Integration.Rhel;

/// <summary>
/// The RHEL family for real, over SSH, on the test bed's RPM hosts: PGDG-shaped packages installed with yum/dnf from
/// the test bed's signed mirror, postgresql-NN-setup, the postgresql-NN unit under the systemd stand-in (CentOS 7) or
/// pg_ctl as postgres without systemd (Rocky 9), firewalld and SELinux rules — to verified streaming.
/// </summary>
[Collection(TestbedCollection.Name)]
public sealed class RhelHostTests(Testbed bed) : TestbedPanelTest(bed, "rhel", [Testbed.CentOsPrimary, Testbed.CentOsStandby, Testbed.RockyPrimary, Testbed.RockyStandby])
{
    private JsonObject Mirror(int el) => new() { ["source"] = "mirror", ["mirrorUrl"] = Bed.RepositoryUrl, ["osMirrorUrl"] = Bed.OsMirrorUrl(el) };

    private static JsonObject Step(JsonObject job, string id) => Api.Steps(job).Single(s => s["stepId"]!.GetValue<string>() == id);

    private static void AllUnchanged(JsonObject job)
    {
        Assert.True(Api.Status(job) == "succeeded", Api.Describe(job));
        var changed = Api.Steps(job).Where(s => Api.Status(s) != "unchanged").Select(s => $"{s["stepId"]} was {Api.Status(s)}: {s["output"]}").ToList();
        Assert.True(changed.Count == 0, string.Join('\n', changed));
    }

    [Fact]
    public async Task Centos7_postgres10_with_systemd_firewalld_and_selinux_installs_from_the_mirror_streams_and_a_second_run_changes_nothing()
    {
        // The seed's OS, in the recovery.conf era; the standby on a data directory and port of its own, so the unit needs a
        // PGDATA drop-in, SELinux a file context and a port type, and firewalld a rule for port 5433.
        var spec = new JsonObject
        {
            ["name"] = "el7pair",
            ["postgresVersion"] = 10,
            ["primary"] = new JsonObject { ["host"] = Bed.Host(Testbed.CentOsPrimary), ["port"] = 5432, ["connection"] = Bed.RootConnection() },
            ["standbys"] = new JsonArray(new JsonObject
            {
                ["host"] = Bed.Host(Testbed.CentOsStandby), ["port"] = 5433, ["dataDirectory"] = "/srv/pgdata/el7", ["connection"] = Bed.RootConnection(),
            }),
            ["packages"] = Mirror(7),
        };
        var job = await Api.WaitForJobAsync(Client, await Api.StartJobAsync(Client, spec), TimeSpan.FromMinutes(5));
        Assert.True(Api.Status(job) == "succeeded", Api.Describe(job));

        // What the connect step saw, and the steps the RHEL family adds.
        var connect = Step(job, "connect")["output"]!.GetValue<string>();
        Assert.Contains("CentOS Linux 7 (Core)", connect, StringComparison.Ordinal);
        Assert.Contains("systemd", connect, StringComparison.Ordinal);
        Assert.Contains("yum -y --disablerepo='*' --enablerepo='pgpanel-*' install postgresql10-server postgresql10-contrib",
            Step(job, "install-primary")["commands"]!.GetValue<string>(), StringComparison.Ordinal);
        foreach (var id in new[] { "preflight-packages-primary", "firewall-primary", "firewall-standby1", "selinux-standby1", "unit-datadir-standby1", "selinux-label-standby1" })
        {
            Assert.Contains(Api.Status(Step(job, id)), new[] { "changed", "unchanged" });
        }

        // PGDG's packages, its unit (enabled, PGDATA moved by a drop-in on the standby), postgresql-10-setup's log.
        Assert.StartsWith("postgresql10-server-10.", await Bed.ExecAsync(Testbed.CentOsPrimary, "rpm -q postgresql10-server"), StringComparison.Ordinal);
        Assert.Equal("enabled", await Bed.ExecAsync(Testbed.CentOsPrimary, "systemctl is-enabled postgresql-10"));
        Assert.Equal("active", await Bed.ExecAsync(Testbed.CentOsStandby, "systemctl is-active postgresql-10"));
        Assert.Contains("PGDATA=/srv/pgdata/el7", await Bed.ExecAsync(Testbed.CentOsStandby, "systemctl show -p Environment postgresql-10"), StringComparison.Ordinal);
        Assert.Contains("Success", await Bed.ExecAsync(Testbed.CentOsPrimary, "cat /var/lib/pgsql/10/initdb.log"), StringComparison.Ordinal);
        Assert.Equal("postgres", await Bed.ExecAsync(Testbed.CentOsPrimary, "ps -o user= -C postgres,postmaster | sort -u"));

        // Streaming, recovery.conf (PostgreSQL 10), and the server logging where PGDG's packages log.
        Assert.Equal($"el7pair_standby1|{Bed.Host(Testbed.CentOsStandby)}|streaming",
            await Bed.QueryAsync(Testbed.CentOsPrimary, "SELECT application_name, client_addr, state FROM pg_stat_replication"));
        Assert.Equal("t|/srv/pgdata/el7", await Bed.QueryAsync(Testbed.CentOsStandby, "SELECT pg_is_in_recovery(), current_setting('data_directory')", 5433));
        Assert.Equal("yes", await Bed.ExecAsync(Testbed.CentOsStandby, "test -f /srv/pgdata/el7/recovery.conf && echo yes"));
        Assert.Matches("postgresql-[A-Z][a-z]{2}\\.log", await Bed.ExecAsync(Testbed.CentOsPrimary, "ls /var/lib/pgsql/10/data/log"));

        // firewalld: the peer and the panel only, and it really filters: host 3 (not in the cluster) is refused.
        var primaryRules = await Bed.ExecAsync(Testbed.CentOsPrimary, "firewall-cmd --list-rich-rules; firewall-cmd --permanent --list-rich-rules");
        Assert.Contains($"source address=\"{Bed.Host(Testbed.CentOsStandby)}/32\" port port=\"5432\"", primaryRules, StringComparison.Ordinal);
        Assert.Contains("source address=\"10.77.77.1/32\" port port=\"5432\"", primaryRules, StringComparison.Ordinal);
        Assert.Contains($"source address=\"{Bed.Host(Testbed.CentOsPrimary)}/32\" port port=\"5433\"",
            await Bed.ExecAsync(Testbed.CentOsStandby, "firewall-cmd --permanent --list-rich-rules"), StringComparison.Ordinal);
        var reach = $"timeout 3 bash -c 'exec 3<>/dev/tcp/{Bed.Host(Testbed.CentOsPrimary)}/5432' 2>/dev/null && echo open || echo closed";
        Assert.Equal("closed", await Bed.ExecAsync(3, reach));
        Assert.Equal("open", await Bed.ExecAsync(Testbed.CentOsStandby, reach));

        // SELinux (the stand-in's policy store and the real extended attribute restorecon writes).
        Assert.Contains("/srv/pgdata/el7(/.*)?", await Bed.ExecAsync(Testbed.CentOsStandby, "semanage fcontext -l -C"), StringComparison.Ordinal);
        Assert.Matches("postgresql_port_t +tcp +.*5433", await Bed.ExecAsync(Testbed.CentOsStandby, "semanage port -l -C"));
        Assert.Contains("postgresql_db_t", await Bed.ExecAsync(Testbed.CentOsStandby,
            "python3 -c \"import os; print(os.getxattr('/srv/pgdata/el7', 'security.selinux'))\""), StringComparison.Ordinal);
        Assert.Equal("", await Bed.ExecAsync(Testbed.CentOsStandby, "restorecon -R -n -v /srv/pgdata/el7"));

        // The panel's monitor reaches both nodes through the firewall.
        var sample = "";
        var monitored = await Poll.UntilAsync(async () =>
        {
            var response = await Client.GetAsync("/api/clusters/el7pair/replication");
            sample = response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : "";
            return sample.Contains("\"state\":\"streaming\"", StringComparison.Ordinal) ? "streaming" : sample;
        }, "streaming", TimeSpan.FromSeconds(30));
        Assert.True(monitored == "streaming", sample);

        // A second run finds everything in place.
        AllUnchanged(await Api.WaitForJobAsync(Client, await Api.StartJobAsync(Client, spec), TimeSpan.FromMinutes(3)));
    }

    [Fact]
    public async Task Rocky9_postgres15_without_systemd_refuses_unreachable_repositories_then_installs_from_the_mirror_and_resumes_after_a_failure()
    {
        var spec = new JsonObject
        {
            ["name"] = "el9pair",
            ["postgresVersion"] = 15,
            ["primary"] = new JsonObject { ["host"] = Bed.Host(Testbed.RockyPrimary), ["port"] = 5432, ["connection"] = Bed.RootConnection() },
            ["standbys"] = new JsonArray(new JsonObject { ["host"] = Bed.Host(Testbed.RockyStandby), ["port"] = 5432, ["connection"] = Bed.RootConnection() }),
        };

        // Upstream repositories (the default) are out of reach in the test bed: the pre-flight says which, and what to set.
        var refused = await Api.WaitForJobAsync(Client, await Api.StartJobAsync(Client, spec), TimeSpan.FromMinutes(3));
        Assert.Equal("failed", Api.Status(refused));
        var preflight = Assert.Single(Api.Steps(refused), s => Api.Status(s) == "failed");
        Assert.Equal("preflight-packages-primary", preflight["stepId"]!.GetValue<string>());
        var reason = preflight["output"]!.GetValue<string>();
        Assert.Contains("https://download.postgresql.org/pub/repos/yum/reporpms/EL-9-x86_64/pgdg-redhat-repo-latest.noarch.rpm", reason, StringComparison.Ordinal);
        Assert.Contains("baseos", reason, StringComparison.Ordinal);
        Assert.Contains("packages.mirrorUrl", reason, StringComparison.Ordinal);
        Assert.All(Api.Steps(refused).Skip(2), s => Assert.Equal("pending", Api.Status(s)));
        foreach (var host in new[] { Testbed.RockyPrimary, Testbed.RockyStandby })
        {
            Assert.Equal("", await Bed.ExecAsync(host, "rpm -qa 'postgresql*'"));
            Assert.Equal("rocky.repo", await Bed.ExecAsync(host, "ls /etc/yum.repos.d"));
            Assert.Equal("", await Bed.ExecAsync(host, "ls -A /var/lib/pgsql"));
        }

        // The same spec from the mirror; the standby's host loses its SSH server once the primary runs, and the job fails.
        spec["name"] = "el9pair2";
        spec["packages"] = Mirror(9);
        var id = await Api.StartJobAsync(Client, spec);
        var started = await Poll.UntilAsync(async () =>
        {
            var running = await Api.GetJobAsync(Client, id);
            var start = Api.Steps(running).SingleOrDefault(s => s["stepId"]!.GetValue<string>() == "start-primary");
            return start is not null && Api.Status(start) is "changed" or "unchanged" ? "started" : Api.Status(running);
        }, "started", TimeSpan.FromMinutes(3));
        Assert.Equal("started", started);
        await Bed.StopSshdAsync(Testbed.RockyStandby);
        var failed = await Api.WaitForJobAsync(Client, id, TimeSpan.FromMinutes(2));
        Assert.Equal("failed", Api.Status(failed));
        Assert.Equal("f", await Bed.QueryAsync(Testbed.RockyPrimary, "SELECT pg_is_in_recovery()"));

        await Bed.StartSshdAsync(Testbed.RockyStandby);
        var resumed = await Client.PostAsync($"/api/jobs/{id}/resume", null);
        Assert.True(resumed.IsSuccessStatusCode, await resumed.Content.ReadAsStringAsync());
        var done = await Api.WaitForJobAsync(Client, id, TimeSpan.FromMinutes(4));
        Assert.True(Api.Status(done) == "succeeded", Api.Describe(done));

        // dnf from the mirror, initdb and pg_ctl as postgres (no systemd here), PGDG's log directory.
        Assert.Contains("dnf -y --disablerepo='*' --enablerepo='pgpanel-*' install postgresql15-server", Step(done, "install-primary")["commands"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("/usr/pgsql-15/bin/pg_ctl start -D /var/lib/pgsql/15/data -l /var/lib/pgsql/15/pgstartup.log", Step(done, "start-standby1")["commands"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("no", await Bed.ExecAsync(Testbed.RockyPrimary, "command -v systemctl >/dev/null && echo yes || echo no"));
        Assert.Equal("postgres", await Bed.ExecAsync(Testbed.RockyStandby, "ps -o user= -C postgres,postmaster | sort -u"));
        Assert.Matches("postgresql-[A-Z][a-z]{2}\\.log", await Bed.ExecAsync(Testbed.RockyStandby, "ls /var/lib/pgsql/15/data/log"));
        Assert.Equal("yes", await Bed.ExecAsync(Testbed.RockyStandby, "test -f /var/lib/pgsql/15/data/standby.signal && echo yes"));
        Assert.Equal($"el9pair2_standby1|{Bed.Host(Testbed.RockyStandby)}|streaming",
            await Bed.QueryAsync(Testbed.RockyPrimary, "SELECT application_name, client_addr, state FROM pg_stat_replication"));
        await Bed.QueryAsync(Testbed.RockyPrimary, "CREATE TABLE crossed AS SELECT 'rocky'::text AS v");
        Assert.Equal("rocky", await Poll.UntilAsync(() => Bed.QueryAsync(Testbed.RockyStandby, "SELECT v FROM crossed"), "rocky"));

        AllUnchanged(await Api.WaitForJobAsync(Client, await Api.StartJobAsync(Client, spec), TimeSpan.FromMinutes(3)));
    }

    [Fact]
    public async Task The_probe_shows_firewalld_and_selinux_of_an_rpm_host()
    {
        var response = await Client.PostAsJsonAsync("/api/hosts/probe", new JsonObject { ["host"] = Bed.Host(Testbed.CentOsPrimary), ["port"] = 5432, ["connection"] = Bed.RootConnection() });
        var facts = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal(("centos-7", true, "Enforcing", true), (facts["os"]!.GetValue<string>(), facts["firewalld"]!.GetValue<bool>(), facts["selinux"]!.GetValue<string>(), facts["systemd"]!.GetValue<bool>()));
        Assert.Empty(facts["postgresVersions"]!.AsArray());

        response = await Client.PostAsJsonAsync("/api/hosts/probe", new JsonObject { ["host"] = Bed.Host(Testbed.RockyPrimary), ["port"] = 5432, ["connection"] = Bed.RootConnection() });
        facts = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal(("rocky-9", false, false), (facts["os"]!.GetValue<string>(), facts["firewalld"]!.GetValue<bool>(), facts["systemd"]!.GetValue<bool>()));
        Assert.Null(facts["selinux"]?.GetValue<string>());
    }
}
