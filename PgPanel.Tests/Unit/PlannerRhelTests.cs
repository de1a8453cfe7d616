using PgPanel.Core.Hosts;
using PgPanel.Core.Planning;
using PgPanel.Core.Records;
using PgPanel.Core.Specs;

namespace PgPanel.Tests.Unit;

/// <summary>The RHEL family's decisions: service control with and without systemd, package sources, firewalld, SELinux.</summary>
public sealed class PlannerRhelTests
{
    private const string Mirror = "https://mirror.example.com/pgdg";

    private static Plan PlanFor(ClusterSpec spec, Func<string, HostFacts>? facts = null) =>
        Planner.Create(new PlanRequest(spec, Planner.NodeIds(spec).ToDictionary(id => id, id => facts?.Invoke(id) ?? Facts("rocky-9")), "/srv/pgpanel"));

    private static HostFacts Facts(string os, bool systemd = true, bool firewalld = false, string? selinux = null, bool installed = false)
    {
        Assert.True(OsTarget.TryParse(os, out var target));
        return new HostFacts
        {
            Os = target,
            CanBecomeRoot = true,
            HasSystemd = systemd,
            FirewalldRunning = firewalld,
            Selinux = selinux,
            PanelAddress = "192.168.0.2",
            PostgresBinDirectories = installed ? new Dictionary<PgVersion, string> { [PgVersion.Of(15)] = "/usr/pgsql-15/bin" } : new Dictionary<PgVersion, string>(),
        };
    }

    private static PlanStep Step(Plan plan, string id) => plan.Steps.Single(s => s.Id == id);

    [Fact]
    public void With_systemd_the_server_is_checked_with_systemctl_as_root_never_pg_ctl_as_root()
    {
        var plan = PlanFor(SpecBuilder.Remote("rocky-9", PgVersion.Of(15)), _ => Facts("rocky-9"));
        var start = Step(plan, "start-primary");
        Assert.Equal("systemctl is-active --quiet postgresql-15 || exit 1", start.Check!.Script);
        Assert.Equal("root", start.Check.RunAs);
        Assert.Contains("systemctl enable --now postgresql-15", start.Apply[0].Script, StringComparison.Ordinal);
        Assert.Contains("journalctl -u postgresql-15", start.Apply[0].Script, StringComparison.Ordinal);
        Assert.Contains("/var/lib/pgsql/15/data/log/*.log", start.Apply[0].Script, StringComparison.Ordinal);
        Assert.All(plan.Steps.SelectMany(s => s.AllCommands).Where(c => c.RunAs == "root"),
            c => Assert.DoesNotMatch("pg_ctl (status|start|stop|restart|reload)", c.Script));
        Assert.Contains("postgresql-15-setup initdb", Step(plan, "initdb-primary").Apply[0].Script, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_systemd_initdb_and_pg_ctl_run_as_postgres_and_log_where_pgdg_does()
    {
        var plan = PlanFor(SpecBuilder.Remote("rocky-9", PgVersion.Of(15)), _ => Facts("rocky-9", systemd: false));
        var start = Step(plan, "start-standby1");
        Assert.Equal("postgres", start.Check!.RunAs);
        Assert.Contains("/usr/pgsql-15/bin/pg_ctl status -D /var/lib/pgsql/15/data", start.Check.Script, StringComparison.Ordinal);
        Assert.Contains("/usr/pgsql-15/bin/pg_ctl start -D /var/lib/pgsql/15/data -l /var/lib/pgsql/15/pgstartup.log -w -t 300", start.Apply[0].Script, StringComparison.Ordinal);
        Assert.Contains("tail -n 20 /var/lib/pgsql/15/pgstartup.log", start.Apply[0].Script, StringComparison.Ordinal);
        var initdb = Step(plan, "initdb-primary").Apply[0];
        Assert.Equal("postgres", initdb.RunAs);
        Assert.StartsWith("/usr/pgsql-15/bin/initdb -D /var/lib/pgsql/15/data --auth-local=peer --auth-host=scram-sha-256 --data-checksums", initdb.Script, StringComparison.Ordinal);
        Assert.DoesNotContain(plan.Steps.SelectMany(s => s.AllCommands), c => c.Script.Contains("systemctl", StringComparison.Ordinal));
    }

    [Fact]
    public void A_mirror_is_a_signed_repository_file_and_an_install_from_it_only()
    {
        var spec = SpecBuilder.Remote("centos-7", PgVersion.Of(10)) with
        {
            Packages = new PackageSourceSpec { Source = PackageSourceKind.Mirror, MirrorUrl = Mirror, OsMirrorUrl = "https://vault.example.com/7.9.2009" },
        };
        var plan = PlanFor(spec, _ => Facts("centos-7"));
        var install = Step(plan, "install-primary");
        var repo = Assert.Single(install.Files);
        Assert.Equal("/etc/yum.repos.d/pgpanel-pgdg10.repo", repo.Path);
        Assert.Contains($"baseurl={Mirror}/10/redhat/rhel-7-x86_64\n", repo.Content, StringComparison.Ordinal);
        Assert.Contains($"gpgkey={Mirror}/keys/PGDG-RPM-GPG-KEY-RHEL7\n", repo.Content, StringComparison.Ordinal);
        Assert.Contains("gpgcheck=1", repo.Content, StringComparison.Ordinal);
        Assert.Contains("baseurl=https://vault.example.com/7.9.2009/os/x86_64\n", repo.Content, StringComparison.Ordinal);
        Assert.Contains("baseurl=https://vault.example.com/7.9.2009/updates/x86_64\n", repo.Content, StringComparison.Ordinal);
        // The install takes the host's package lock first, then installs from the mirror only.
        var lines = install.Apply[0].Script.Trim().Split('\n');
        Assert.StartsWith("exec 9>/var/tmp/pgpanel-packages.lock", lines[0], StringComparison.Ordinal);
        Assert.Equal("yum -y --disablerepo='*' --enablerepo='pgpanel-*' install postgresql10-server postgresql10-contrib", lines[^1]);
        var preflight = Step(plan, "preflight-packages-primary").Check!.Script;
        Assert.Contains($"{Mirror}/10/redhat/rhel-7-x86_64/repodata/repomd.xml", preflight, StringComparison.Ordinal);
        Assert.Contains("https://vault.example.com/7.9.2009/updates/x86_64/repodata/repomd.xml", preflight, StringComparison.Ordinal);

        var el9 = PlanFor(SpecBuilder.Remote("rocky-9", PgVersion.Of(16)) with { Packages = new PackageSourceSpec { Source = PackageSourceKind.Mirror, MirrorUrl = Mirror, OsMirrorUrl = "https://os.example.com/9" } });
        var el9Repo = Step(el9, "install-standby1").Files.Single().Content;
        Assert.Contains("baseurl=https://os.example.com/9/BaseOS/x86_64/os\n", el9Repo, StringComparison.Ordinal);
        Assert.Contains("baseurl=https://os.example.com/9/AppStream/x86_64/os\n", el9Repo, StringComparison.Ordinal);
        Assert.StartsWith("dnf -y", Step(el9, "install-standby1").Apply[0].Script.Trim().Split('\n')[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Upstream_on_centos_7_checks_its_repositories_first_and_names_the_vault_and_the_pgdg_archive()
    {
        var plan = PlanFor(SpecBuilder.Remote("centos-7", PgVersion.V9_5), _ => Facts("centos-7"));
        var preflight = Step(plan, "preflight-packages-primary");
        Assert.Equal(StepKind.Preflight, preflight.Kind);
        Assert.Contains("yum -q --setopt=retries=1 --setopt=timeout=15 makecache", preflight.Check!.Script, StringComparison.Ordinal);
        Assert.Contains("https://vault.centos.org/7.9.2009", preflight.Check.Script, StringComparison.Ordinal);
        Assert.Contains("https://yum-archive.postgresql.org", preflight.Check.Script, StringComparison.Ordinal);
        Assert.True(plan.Steps.ToList().IndexOf(preflight) < plan.Steps.ToList().FindIndex(s => s.Kind != StepKind.Preflight));
    }

    [Fact]
    public void Installed_refuses_a_host_without_postgresql_and_installs_nothing()
    {
        var spec = SpecBuilder.Remote("rocky-9", PgVersion.Of(15)) with
        {
            Packages = new PackageSourceSpec { Source = PackageSourceKind.Installed },
            Standbys = [SpecBuilder.Remote("rocky-9", PgVersion.Of(15)).Standbys[0] with { Packages = new PackageSourceSpec { Source = PackageSourceKind.Upstream } }],
        };
        var plan = PlanFor(spec, id => Facts("rocky-9", installed: id == "standby1"));
        Assert.Contains("\"installed\"", Step(plan, "preflight-binaries-primary").Check!.Script, StringComparison.Ordinal);
        Assert.DoesNotContain(plan.Steps, s => s.Id.StartsWith("install", StringComparison.Ordinal));
        Assert.DoesNotContain(plan.Steps, s => s.Id == "preflight-packages-standby1");
    }

    [Fact]
    public void A_debian_host_refuses_a_pgdg_yum_mirror_in_the_preflight()
    {
        var spec = SpecBuilder.Remote("debian-12", PgVersion.Of(17)) with { Packages = new PackageSourceSpec { Source = PackageSourceKind.Mirror, MirrorUrl = Mirror } };
        var plan = PlanFor(spec, _ => Facts("debian-12"));
        var check = Step(plan, "preflight-packages-primary").Check!.Script;
        Assert.Contains("is for RHEL-family hosts", check, StringComparison.Ordinal);
        Assert.EndsWith("exit 3", check, StringComparison.Ordinal);
    }

    [Fact]
    public void Firewalld_gets_one_rule_per_peer_and_the_panel_and_only_where_it_runs()
    {
        var plan = PlanFor(SpecBuilder.Remote("centos-7", PgVersion.Of(15)), id => Facts("centos-7", firewalld: id == "primary"));
        var firewall = Step(plan, "firewall-primary");
        Assert.Equal("root", firewall.Check!.RunAs);
        Assert.Contains("for source in 192.168.0.11 192.168.0.2; do", firewall.Check.Script, StringComparison.Ordinal);
        Assert.Contains("port=5432", firewall.Apply[0].Script, StringComparison.Ordinal);
        Assert.Contains("firewall-cmd --permanent --zone=\"$zone\" --add-rich-rule=\"$rule\"", firewall.Apply[0].Script, StringComparison.Ordinal);
        Assert.DoesNotContain(plan.Steps, s => s.Id == "firewall-standby1");
        Assert.True(plan.Steps.ToList().IndexOf(firewall) < plan.Steps.ToList().FindIndex(s => s.Id == "role-primary"));
    }

    [Fact]
    public void Selinux_enforcing_labels_a_data_directory_and_port_of_its_own_and_leaves_the_defaults_alone()
    {
        var spec = SpecBuilder.Remote("rocky-9", PgVersion.Of(15));
        spec = spec with { Standbys = [spec.Standbys[0] with { DataDirectory = "/srv/pg/standby", Port = 5433 }] };
        var plan = PlanFor(spec, _ => Facts("rocky-9", selinux: "Enforcing"));
        Assert.DoesNotContain(plan.Steps, s => s.Id is "selinux-primary" or "selinux-label-primary" or "preflight-selinux-primary");
        Assert.Contains("policycoreutils-python-utils", Step(plan, "preflight-selinux-standby1").Check!.Script, StringComparison.Ordinal);
        var rules = Step(plan, "selinux-standby1").Apply[0].Script;
        Assert.Contains("semanage fcontext -a -t postgresql_db_t '/srv/pg/standby(/.*)?'", rules, StringComparison.Ordinal);
        Assert.Contains("semanage port -a -t postgresql_port_t -p tcp 5433", rules, StringComparison.Ordinal);
        var steps = plan.Steps.Select(s => s.Id).ToList();
        Assert.True(steps.IndexOf("swap-standby1") < steps.IndexOf("selinux-label-standby1"));
        Assert.True(steps.IndexOf("selinux-label-standby1") < steps.IndexOf("start-standby1"));

        // systemd: the unit learns the data directory from a drop-in, before the server starts.
        var dropIn = Step(plan, "unit-datadir-standby1");
        Assert.Equal("/etc/systemd/system/postgresql-15.service.d/pgpanel-datadir.conf", dropIn.Files.Single().Path);
        Assert.Contains("Environment=PGDATA=/srv/pg/standby", dropIn.Files.Single().Content, StringComparison.Ordinal);
        Assert.Equal("systemctl daemon-reload", dropIn.Apply[0].Script);
        Assert.True(steps.IndexOf("unit-datadir-standby1") < steps.IndexOf("start-standby1"));

        var permissive = PlanFor(spec, _ => Facts("rocky-9", selinux: "Permissive"));
        Assert.DoesNotContain(permissive.Steps, s => s.Id.Contains("selinux", StringComparison.Ordinal));
    }

    [Fact]
    public void The_exported_script_runs_each_nodes_commands_under_its_own_node_and_waits_across_hosts()
    {
        var plan = PlanFor(SpecBuilder.Remote("rocky-9", PgVersion.Of(15)), _ => Facts("rocky-9", installed: true));
        var steps = plan.Steps.Select(s => s.Id).ToList();

        // The standby's clone needs the primary's role, which comes after the slot: one wait covers both.
        Assert.True(steps.IndexOf("slot-standby1") < steps.IndexOf("role-primary"));
        Assert.Equal(["role-primary"], Step(plan, "preflight-replication-standby1").Awaits);
        var replication = ScriptExport.RenderStep(plan, Step(plan, "preflight-replication-standby1"));
        Assert.Contains("if on_node primary; then passes", replication, StringComparison.Ordinal);
        Assert.Contains("else passes waiting 'primary: Replication role replica", replication, StringComparison.Ordinal);

        // Verification: the sender on the primary's host, the receiver on the standby's, the canary split by node.
        Assert.Equal("primary", Step(plan, "verify-sender-standby1").Node);
        Assert.Equal("standby1", Step(plan, "verify-receiver-standby1").Node);
        var canary = ScriptExport.RenderStep(plan, Step(plan, "verify-canary-standby1"));
        Assert.Contains("if on_node primary; then", canary, StringComparison.Ordinal);
        Assert.Contains("if on_node standby1; then", canary, StringComparison.Ordinal);
        var script = ScriptExport.Render(plan);
        Assert.Contains("if on_node primary; then\n  : \"${PGPANEL_MONITOR_PASSWORD:?", script, StringComparison.Ordinal);
        Assert.Contains("if on_node primary || on_node standby1; then\n  : \"${PGPANEL_REPLICATION_PASSWORD:?", script, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mirror", null, "packages.mirrorUrl")]
    [InlineData("mirror", "https://mirror.example.com/pg dg", "packages.mirrorUrl")]
    [InlineData("mirror", "https://mirror.example.com/pgdg';touch /tmp/x;'", "packages.mirrorUrl")]
    [InlineData("mirror", "ftp://mirror.example.com/pgdg", "packages.mirrorUrl")]
    [InlineData("mirror", "https://mirror.example.com/$releasever", "packages.mirrorUrl")]
    [InlineData("upstream", "https://mirror.example.com/pgdg", "packages.source")]
    public void Package_sources_are_validated_field_by_field(string source, string? url, string field)
    {
        var spec = SpecBuilder.Remote("rocky-9", PgVersion.Of(15)) with
        {
            Packages = new PackageSourceSpec { Source = Enum.Parse<PackageSourceKind>(source, ignoreCase: true), MirrorUrl = url },
        };
        Assert.Contains(field, SpecValidator.Validate(spec).Errors.Keys);
    }

    [Theory]
    [InlineData("https://yum-archive.postgresql.org")]
    [InlineData("http://10.0.0.5:8080/pgdg")]
    [InlineData("file:///srv/mirror/pgdg")]
    public void Mirror_urls_a_dba_uses_are_accepted(string url)
    {
        var spec = SpecBuilder.Remote("rocky-9", PgVersion.Of(15)) with
        {
            Packages = new PackageSourceSpec { Source = PackageSourceKind.Mirror, MirrorUrl = url },
        };
        Assert.True(SpecValidator.Validate(spec).IsValid, SpecValidator.Validate(spec).ToString());
    }
}
