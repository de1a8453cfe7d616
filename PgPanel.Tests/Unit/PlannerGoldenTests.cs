using PgPanel.Core.Planning;
using PgPanel.Core.Specs;

namespace PgPanel.Tests.Unit;

/// <summary>Whole exported plans for the seed's case and the main OS × version layouts, compared with reviewed golden files.</summary>
public sealed class PlannerGoldenTests
{
    private static readonly Dictionary<string, string> SeedPrimary = new() { ["listen_addresses"] = "*", ["max_wal_senders"] = "32" };
    private static readonly Dictionary<string, string> SeedStandby = new() { ["max_connections"] = "1000" };

    [Fact]
    public void Centos7_postgres95_plan_reproduces_every_setting_of_the_seed()
    {
        var plan = PlanFixtures.Remote(SpecBuilder.Remote("centos-7", PgVersion.V9_5, primarySettings: SeedPrimary, standbySettings: SeedStandby));
        var script = ScriptExport.Render(plan);

        // Step 2 of the seed: install from PGDG, initialise, start and enable the service.
        Assert.Contains("yum install -y https://download.postgresql.org/pub/repos/yum/reporpms/EL-7-x86_64/pgdg-redhat-repo-latest.noarch.rpm", script);
        Assert.Contains("yum install -y postgresql95-server postgresql95-contrib", script);
        Assert.Contains("/usr/pgsql-9.5/bin/postgresql95-setup initdb", script);
        Assert.Contains("systemctl enable --now postgresql-9.5", script);
        Assert.Contains("ROLE \"replica\" WITH LOGIN REPLICATION PASSWORD", script);

        // The primary's postgresql.conf parameters of the seed.
        var primary = PlanFixtures.File(plan, "primary", "pgpanel.conf");
        Assert.Contains("listen_addresses = '*'", primary);
        Assert.Contains("wal_level = 'hot_standby'", primary);
        Assert.Contains("synchronous_commit = 'on'", primary);
        Assert.Contains("max_wal_senders = '32'", primary);
        Assert.Contains("wal_sender_timeout = '60s'", primary);
        Assert.Contains("max_connections = '100'", primary);
        Assert.Contains("max_replication_slots = '10'", primary);
        Assert.DoesNotContain("password_encryption", primary);

        // pg_hba.conf: md5 on 9.5, replication from the standby's /32 and the primary's own (for a switchover).
        var hba = PlanFixtures.File(plan, "primary", "pg_hba.conf");
        Assert.Contains("host    replication  \"replica\"       192.168.0.11/32          md5", hba);
        Assert.Contains("host    replication  \"replica\"       192.168.0.10/32          md5", hba);
        Assert.DoesNotContain("scram", hba);

        // Step 3: pg_basebackup -X stream -P, recovery.conf as the seed writes it, the standby's parameters.
        Assert.Contains("setsid /usr/pgsql-9.5/bin/pg_basebackup -d 'host=192.168.0.10 port=5432 user=replica connect_timeout=10 keepalives=1 keepalives_idle=10 keepalives_interval=5 keepalives_count=3 options=", script);
        Assert.Contains("-D /var/lib/pgsql/9.5/.data.pgpanel-clone -X stream -c fast -P -w", script);
        // The primary's side of the clone gives up on a dead standby too; 9.5 has keepalives but no tcp_user_timeout.
        Assert.Contains("-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3", script);
        Assert.DoesNotContain("tcp_user_timeout", script);
        Assert.DoesNotContain("-S seed_standby1", script);
        var recovery = PlanFixtures.File(plan, "standby1", "recovery.conf");
        Assert.Contains("standby_mode = 'on'", recovery);
        Assert.Contains("primary_conninfo = 'host=192.168.0.10 port=5432 user=replica password={{secret:PGPANEL_REPLICATION_PASSWORD}} application_name=seed_standby1'", recovery);
        Assert.Contains("primary_slot_name = 'seed_standby1'", recovery);
        Assert.Contains("recovery_target_timeline = 'latest'", recovery);
        var standby = PlanFixtures.File(plan, "standby1", "pgpanel.conf");
        Assert.Contains("max_connections = '1000'", standby);
        Assert.Contains("hot_standby = 'on'", standby);
        Assert.Contains("max_standby_streaming_delay = '30s'", standby);
        Assert.Contains("wal_receiver_status_interval = '1s'", standby);
        Assert.Contains("hot_standby_feedback = 'on'", standby);
        Assert.Contains("max_wal_senders = '32'", standby);
        Assert.DoesNotContain("primary_conninfo", standby);
        Assert.DoesNotContain(plan.Steps.SelectMany(s => s.Files), f => f.Path.EndsWith("standby.signal", StringComparison.Ordinal));

        // Step 4: the seed's checks, as verification (9.5 has no pg_stat_wal_receiver: ps).
        Assert.Contains("FROM pg_stat_replication WHERE application_name", script);
        Assert.Contains("[w]al receiver process", script);
        Assert.Contains("pg_create_physical_replication_slot('\\''seed_standby1'\\'')'", script);
        Golden.Matches("centos-7_9.5.sh", script);
    }

    [Fact]
    public void Rocky9_postgres16_uses_standby_signal_replica_level_scram_and_the_el9_repository()
    {
        var plan = PlanFixtures.Remote(SpecBuilder.Remote("rocky-9", PgVersion.Of(16)));
        var script = ScriptExport.Render(plan);
        Assert.Contains("dnf install -y https://download.postgresql.org/pub/repos/yum/reporpms/EL-9-x86_64/pgdg-redhat-repo-latest.noarch.rpm", script);
        Assert.Contains("dnf -qy module disable postgresql", script);
        Assert.Contains("dnf install -y postgresql16-server postgresql16-contrib", script);
        Assert.Contains("/usr/pgsql-16/bin/postgresql-16-setup initdb", script);
        Assert.Contains("-S seed_standby1", script);
        Assert.Contains("pg_create_physical_replication_slot('\\''seed_standby1'\\'', true)", script);
        Assert.Contains(plan.Steps.SelectMany(s => s.Files), f => f.Path == "/var/lib/pgsql/16/data/standby.signal" && f.Content.Length == 0);
        Assert.DoesNotContain(plan.Steps.SelectMany(s => s.Files), f => f.Path.EndsWith("recovery.conf", StringComparison.Ordinal));
        var standby = PlanFixtures.File(plan, "standby1", "pgpanel.conf");
        Assert.Contains("primary_conninfo = 'host=192.168.0.10 port=5432 user=replica password={{secret:PGPANEL_REPLICATION_PASSWORD}} application_name=seed_standby1'", standby);
        Assert.Contains("primary_slot_name = 'seed_standby1'", standby);
        var primary = PlanFixtures.File(plan, "primary", "pgpanel.conf");
        Assert.Contains("wal_level = 'replica'", primary);
        Assert.Contains("password_encryption = 'scram-sha-256'", primary);
        Assert.Contains("scram-sha-256", PlanFixtures.File(plan, "primary", "pg_hba.conf"));
        Assert.Contains("listen_addresses = '127.0.0.1,192.168.0.10'", primary);
        Golden.Matches("rocky-9_16.sh", script);
    }

    [Fact]
    public void Debian12_postgres15_uses_pg_createcluster_and_etc_postgresql()
    {
        var plan = PlanFixtures.Remote(SpecBuilder.Remote("debian-12", PgVersion.Of(15)));
        var script = ScriptExport.Render(plan);
        Assert.Contains("apt-get install -y -q postgresql-15 postgresql-client-15", script);
        Assert.DoesNotContain("apt.postgresql.org.sh", script);
        Assert.Contains("pg_conftool /etc/postgresql-common/createcluster.conf set create_main_cluster false", script);
        Assert.Contains("pg_createcluster 15 main --port 5432 --datadir /var/lib/postgresql/15/main -- --auth-local=peer --auth-host=scram-sha-256 --data-checksums", script);
        Assert.Contains("pg_createcluster 15 main --port 5432 --datadir /var/lib/postgresql/15/main\n", script);
        Assert.Contains("systemctl enable --now postgresql@15-main", script);
        Assert.Contains("include_dir = 'conf.d'", script);
        Assert.Contains(plan.Steps.SelectMany(s => s.Files), f => f.Path == "/etc/postgresql/15/main/conf.d/pgpanel.conf");
        Assert.Contains(plan.Steps.SelectMany(s => s.Files), f => f.Path == "/etc/postgresql/15/main/pg_hba.conf");
        Assert.Contains(plan.Steps.SelectMany(s => s.Files), f => f.Path == "/var/lib/postgresql/15/.main.pgpanel-clone/standby.signal");
        Assert.All(plan.Nodes, n => Assert.Equal("/usr/lib/postgresql/15/bin", n.Layout.BinDirectory));
        Golden.Matches("debian-12_15.sh", script);
    }

    [Fact]
    public void Ubuntu_with_a_version_it_does_not_ship_adds_the_pgdg_apt_repository()
    {
        var script = ScriptExport.Render(PlanFixtures.Remote(SpecBuilder.Remote("ubuntu-22.04", PgVersion.Of(17))));
        Assert.Contains("/usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y", script);
        Assert.Contains("apt-get install -y -q postgresql-17 postgresql-client-17", script);
    }

    [Fact]
    public void Alibaba_cloud_linux_3_uses_the_el8_repository_and_alinux_2_the_el7_one()
    {
        Assert.Contains("reporpms/EL-8-x86_64/", ScriptExport.Render(PlanFixtures.Remote(SpecBuilder.Remote("alinux-3", PgVersion.Of(14)))));
        Assert.Contains("dnf -qy module disable postgresql", ScriptExport.Render(PlanFixtures.Remote(SpecBuilder.Remote("alinux-3", PgVersion.Of(14)))));
        Assert.Contains("reporpms/EL-7-x86_64/", ScriptExport.Render(PlanFixtures.Remote(SpecBuilder.Remote("alinux-2", PgVersion.Of(12)))));
    }

    [Fact]
    public void Local_pair_uses_pg_ctl_and_data_directories_under_the_panel_data_directory()
    {
        var plan = PlanFixtures.LocalDebianRoot(SpecBuilder.Local(PgVersion.Of(15)));
        var script = ScriptExport.Render(plan);
        Assert.Equal("/srv/pgpanel/clusters/demo/primary", plan.Node("primary").Layout.DataDirectory);
        Assert.Equal("/srv/pgpanel/clusters/demo/standby1", plan.Node("standby1").Layout.DataDirectory);
        Assert.DoesNotContain(plan.Steps, s => s.Id.StartsWith("install", StringComparison.Ordinal));
        Assert.Contains("/usr/lib/postgresql/15/bin/pg_ctl start -D /srv/pgpanel/clusters/demo/primary -l /srv/pgpanel/clusters/demo/primary.log -w -t 300", script);
        Assert.Contains("listen_addresses = '127.0.0.1'", PlanFixtures.File(plan, "primary", "pgpanel.conf"));
        Assert.Contains("unix_socket_directories = '/var/run/postgresql'", PlanFixtures.File(plan, "standby1", "pgpanel.conf"));
        Assert.Contains("port = '5433'", PlanFixtures.File(plan, "standby1", "pgpanel.conf"));
        Golden.Matches("local-debian-12_15.sh", script);
    }
}
