using PgPanel.Core;
using PgPanel.Core.Planning;
using PgPanel.Core.Records;
using PgPanel.Core.Security;
using PgPanel.Core.Specs;

namespace PgPanel.Tests.Unit;

/// <summary>Every supported major version × OS family: the version rules of the replication notes hold.</summary>
public sealed class PlannerVersionMatrixTests
{
    public static TheoryData<string, string> Matrix()
    {
        var data = new TheoryData<string, string>();
        foreach (var version in PgVersion.Supported)
        {
            foreach (var os in new[] { "debian-12", "centos-7", "rocky-9" })
            {
                data.Add(os, version.ToString());
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public void Version_rules_hold(string os, string versionText)
    {
        Assert.True(PgVersion.TryParse(versionText, out var v));
        foreach (var slots in new[] { true, false })
        {
            var plan = PlanFixtures.Remote(SpecBuilder.Remote(os, v, slots: slots));
            var script = ScriptExport.Render(plan);
            var primary = PlanFixtures.File(plan, "primary", "pgpanel.conf");
            var hba = PlanFixtures.File(plan, "primary", "pg_hba.conf");
            var files = plan.Steps.SelectMany(s => s.Files).ToList();

            Assert.Contains(v <= PgVersion.V9_5 ? "wal_level = 'hot_standby'" : "wal_level = 'replica'", primary);
            Assert.Contains(v >= PgVersion.Of(10) ? " scram-sha-256" : " md5", hba);
            Assert.Equal(v >= PgVersion.Of(10), primary.Contains("password_encryption = 'scram-sha-256'", StringComparison.Ordinal));
            Assert.Equal(v < PgVersion.Of(12), files.Any(f => f.Path.EndsWith("/recovery.conf", StringComparison.Ordinal)));
            Assert.Equal(v >= PgVersion.Of(12), files.Any(f => f.Path.EndsWith("/standby.signal", StringComparison.Ordinal)));
            Assert.Equal(slots && v >= PgVersion.V9_6, script.Contains("-S seed_standby1", StringComparison.Ordinal));
            Assert.Equal(slots, script.Contains("pg_create_physical_replication_slot", StringComparison.Ordinal));
            if (!slots)
            {
                Assert.Contains(v >= PgVersion.Of(13) ? "wal_keep_size = '1GB'" : "wal_keep_segments = '64'", primary);
            }

            Assert.Contains(v >= PgVersion.V9_6 ? "pg_stat_wal_receiver" : "[w]al receiver process", script);
            Assert.Contains(os.StartsWith("debian", StringComparison.Ordinal) ? $"/usr/lib/postgresql/{v}/bin" : $"/usr/pgsql-{v}/bin", script);
        }
    }

    [Fact]
    public void Synchronous_names_use_first_1_from_96_and_a_plain_list_on_95()
    {
        var modern = PlanFixtures.Remote(SpecBuilder.Remote("debian-12", PgVersion.Of(15), synchronous: true));
        Assert.Contains(modern.Steps, s => s.Id == "synchronous-standby-names" && s.Title.Contains("FIRST 1 (\"seed_standby1\")", StringComparison.Ordinal));
        var old = PlanFixtures.Remote(SpecBuilder.Remote("centos-7", PgVersion.V9_5, synchronous: true));
        Assert.Contains(old.Steps, s => s.Id == "synchronous-standby-names" && s.Title.Contains("'\"seed_standby1\"'", StringComparison.Ordinal));
        var async = PlanFixtures.Remote(SpecBuilder.Remote("debian-12", PgVersion.Of(15)));
        Assert.Contains("ALTER SYSTEM RESET synchronous_standby_names", ScriptExport.Render(async));
    }

    [Fact]
    public void Synchronous_mode_is_set_only_after_streaming_is_verified()
    {
        var plan = PlanFixtures.Remote(SpecBuilder.Remote("debian-12", PgVersion.Of(15), synchronous: true));
        var ids = plan.Steps.Select(s => s.Id).ToList();
        Assert.True(ids.IndexOf("synchronous-standby-names") > ids.IndexOf("verify-sender-standby1"));
        Assert.True(ids.IndexOf("synchronous-standby-names") < ids.IndexOf("verify-canary-standby1"));
        Assert.DoesNotContain("synchronous_standby_names", PlanFixtures.File(plan, "primary", "pgpanel.conf"));
    }

    [Fact]
    public void Planning_is_pure_the_same_input_gives_the_same_plan()
    {
        var spec = SpecBuilder.Remote("rocky-9", PgVersion.Of(17));
        Assert.Equal(PanelJson.Serialize(PlanFixtures.Remote(spec)), PanelJson.Serialize(PlanFixtures.Remote(spec)));
    }

    [Fact]
    public void A_plan_and_its_script_never_contain_the_replication_password()
    {
        const string password = "Sup3r-Secret-Replication-Pw";
        var spec = SpecBuilder.Remote("debian-12", PgVersion.Of(15)) with { Replication = new ReplicationSpec { Password = new Secret(password) } };
        var plan = PlanFixtures.Remote(spec);
        Assert.DoesNotContain(password, PanelJson.Serialize(plan), StringComparison.Ordinal);
        Assert.DoesNotContain(password, ScriptExport.Render(plan), StringComparison.Ordinal);
        Assert.DoesNotContain(password, PanelJson.Serialize(spec), StringComparison.Ordinal);
        Assert.Contains("$PGPANEL_REPLICATION_PASSWORD", ScriptExport.Render(plan), StringComparison.Ordinal);
    }

    [Fact]
    public void Standby_settings_inherit_the_primary_overrides_so_they_are_never_lower()
    {
        var plan = PlanFixtures.Remote(SpecBuilder.Remote("debian-12", PgVersion.Of(15), primarySettings: new Dictionary<string, string> { ["max_connections"] = "300", ["max_wal_senders"] = "20" }));
        var standby = PlanFixtures.File(plan, "standby1", "pgpanel.conf");
        Assert.Contains("max_connections = '300'", standby);
        Assert.Contains("max_wal_senders = '20'", standby);
        Assert.Contains("listen_addresses = '127.0.0.1,192.168.0.11'", standby);
    }

    [Fact]
    public void Every_change_step_has_a_check_a_guard_or_files()
    {
        foreach (var os in new[] { "debian-12", "centos-7", "rocky-9" })
        {
            var plan = PlanFixtures.Remote(SpecBuilder.Remote(os, PgVersion.Of(15)));
            Assert.All(plan.Steps.Where(s => s.Kind == StepKind.Change), s =>
                Assert.True(s.Check is not null || s.Unless is not null || s.Files.Count > 0, $"{s.Id} would run blindly"));
            Assert.All(plan.Steps.Where(s => s.Kind == StepKind.Preflight), s => Assert.NotNull(s.Check));
            Assert.Equal(plan.Steps.Count, plan.Steps.Select(s => s.Id).Distinct().Count());
        }
    }
}
