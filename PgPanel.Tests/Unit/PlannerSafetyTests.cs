using PgPanel.Core;
using PgPanel.Core.Hosts;
using PgPanel.Core.Planning;
using PgPanel.Core.Records;
using PgPanel.Core.Runs;
using PgPanel.Core.Specs;

namespace PgPanel.Tests.Unit;

/// <summary>What a plan does so nothing is left behind: slot WAL budgets, disk for a clone, root up front, slot clean-up.</summary>
public sealed class PlannerSafetyTests
{
    private static HostFacts Facts(bool root = true, long? fileSystem = null, IReadOnlyDictionary<string, long>? sizes = null) => new()
    {
        Os = new OsTarget("debian", "12"),
        CanBecomeRoot = root,
        HasSystemd = false,
        PostgresBinDirectories = new Dictionary<PgVersion, string> { [PgVersion.Of(15)] = "/usr/lib/postgresql/15/bin", [PgVersion.Of(12)] = "/usr/lib/postgresql/12/bin" },
        FileSystemBytes = fileSystem,
        DataDirectoryBytes = sizes ?? new Dictionary<string, long>(),
    };

    private static Plan PlanFor(ClusterSpec spec, Func<string, HostFacts> facts, IReadOnlyList<string>? dropSlots = null) =>
        Planner.Create(new PlanRequest(spec, Planner.NodeIds(spec).ToDictionary(id => id, facts), "/srv/pgpanel", null, dropSlots));

    [Fact]
    public void Slots_on_13_and_later_keep_at_most_a_quarter_of_the_primarys_file_system()
    {
        var plan = PlanFor(SpecBuilder.Remote("debian-12", PgVersion.Of(15)), _ => Facts(fileSystem: 200L * 1024 * 1024 * 1024));
        Assert.Contains("max_slot_wal_keep_size = '50GB'", PlanFixtures.File(plan, "primary", "pgpanel.conf"), StringComparison.Ordinal);
        Assert.Contains("max_slot_wal_keep_size = '50GB'", PlanFixtures.File(plan, "standby1", "pgpanel.conf"), StringComparison.Ordinal);

        var small = PlanFor(SpecBuilder.Remote("debian-12", PgVersion.Of(15)), _ => Facts(fileSystem: 2L * 1024 * 1024 * 1024));
        Assert.Contains("max_slot_wal_keep_size = '1GB'", PlanFixtures.File(small, "primary", "pgpanel.conf"), StringComparison.Ordinal);

        var chosen = SpecBuilder.Remote("debian-12", PgVersion.Of(15), primarySettings: new Dictionary<string, string> { ["max_slot_wal_keep_size"] = "7GB" });
        Assert.Contains("max_slot_wal_keep_size = '7GB'", PlanFixtures.File(PlanFor(chosen, _ => Facts(fileSystem: 1L << 40)), "primary", "pgpanel.conf"), StringComparison.Ordinal);

        var old = PlanFor(SpecBuilder.Remote("debian-12", PgVersion.Of(12)), _ => Facts(fileSystem: 1L << 40));
        Assert.DoesNotContain("max_slot_wal_keep_size", PlanFixtures.File(old, "primary", "pgpanel.conf"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_standby_needs_the_primarys_size_and_room_for_wal_on_its_disk()
    {
        var sizes = new Dictionary<string, long> { ["/var/lib/postgresql/15/main"] = 4000L * 1024 * 1024 };
        var plan = PlanFor(SpecBuilder.Remote("debian-12", PgVersion.Of(15)), _ => Facts(sizes: sizes));
        var standby = plan.Steps.Single(s => s.Id == "preflight-disk-standby1").Check!.Script;
        Assert.Contains("-lt 4505600", standby, StringComparison.Ordinal); // 4000 MiB + 10 % (400 MiB), in KiB
        Assert.Contains("the primary holds 4000 MiB", standby, StringComparison.Ordinal);
        var small = PlanFor(SpecBuilder.Remote("debian-12", PgVersion.Of(15)), _ => Facts(sizes: new Dictionary<string, long> { ["/var/lib/postgresql/15/main"] = 100L * 1024 * 1024 }));
        Assert.Contains("-lt 364544", small.Steps.Single(s => s.Id == "preflight-disk-standby1").Check!.Script, StringComparison.Ordinal); // 100 MiB + 256 MiB
        Assert.Contains("-lt 262144", plan.Steps.Single(s => s.Id == "preflight-disk-primary").Check!.Script, StringComparison.Ordinal);
    }

    [Fact]
    public void A_host_without_root_is_refused_first_and_a_failed_clone_gives_its_slot_back()
    {
        var plan = PlanFor(SpecBuilder.Remote("debian-12", PgVersion.Of(15)), id => Facts(root: id == "primary"));
        var first = plan.Steps.First(s => s.Node == "standby1");
        Assert.Equal("preflight-root-standby1", first.Id);
        Assert.Contains(plan.Steps.TakeWhile(s => s.Kind == StepKind.Preflight), s => s.Id == "preflight-root-standby1");

        var clone = plan.Steps.Single(s => s.Id == "clone-standby1");
        Assert.Contains("setsid", clone.Apply[0].Script, StringComparison.Ordinal);
        Assert.Contains("PGPANEL_SESSION_PID", clone.Apply[0].Script, StringComparison.Ordinal);
        Assert.Contains("CREATE_REPLICATION_SLOT $slot PHYSICAL RESERVE_WAL", clone.Apply[0].Script, StringComparison.Ordinal);
        var rescue = Assert.Single(clone.OnFailure);
        Assert.Equal("primary", rescue.Node);
        Assert.Contains("pg_drop_replication_slot", rescue.Script, StringComparison.Ordinal);
    }

    [Fact]
    public void New_ports_and_settings_for_an_existing_cluster_name_what_restarts_and_need_a_confirmation()
    {
        var stored = SpecBuilder.Remote("debian-12", PgVersion.Of(15));
        var storedJson = PanelJson.Serialize(stored);

        var ports = stored with { Primary = stored.Primary with { Port = 6432 } };
        var moved = ClusterChanges.Between(storedJson, ports);
        Assert.True(moved.NeedsConfirmation);
        Assert.Equal(["primary", "standby1"], moved.Restarts);
        Assert.Contains(moved.Items, i => i.Contains("primary port 5432 → 6432", StringComparison.Ordinal));

        var settings = stored with { Settings = new SettingsSpec { Primary = new Dictionary<string, string> { ["work_mem"] = "'64MB'" } } };
        var tuned = ClusterChanges.Between(storedJson, settings);
        Assert.True(tuned.NeedsConfirmation);
        Assert.Equal(["primary"], tuned.Restarts);
        Assert.Contains("primary settings: set work_mem = '64MB'", tuned.Items);
        Assert.NotEqual(moved.Token, tuned.Token);

        // Adding a standby is shown but restarts nothing: no confirmation.
        var grown = stored with { Standbys = [stored.Standbys[0], stored.Standbys[0] with { Host = "192.168.0.12" }] };
        var added = ClusterChanges.Between(storedJson, grown);
        Assert.False(added.NeedsConfirmation);
        Assert.Contains("standby2 is added on 192.168.0.12:5432", Assert.Single(added.Items), StringComparison.Ordinal);

        // The same spec again: nothing to show.
        Assert.Empty(ClusterChanges.Between(storedJson, stored).Items);
    }

    [Fact]
    public void A_confirmation_is_bound_to_the_change_it_confirms()
    {
        var two = SpecBuilder.Remote("debian-12", PgVersion.Of(15));
        two = two with { Standbys = [two.Standbys[0], two.Standbys[0] with { Host = "192.168.0.12" }] };
        var stored = PanelJson.Serialize(two);
        var one = two with { Standbys = [two.Standbys[0]] };

        var changes = ClusterChanges.Between(stored, one);
        Assert.True(changes.NeedsConfirmation);
        Assert.Equal(["seed_standby2"], changes.DropSlots);
        Assert.Contains("192.168.0.12:5432", Assert.Single(changes.Items), StringComparison.Ordinal);
        Assert.Equal(changes.Token, ClusterChanges.Between(stored, one).Token);
        Assert.NotEqual(changes.Token, ClusterChanges.Between(PanelJson.Serialize(two with { Name = "seed" , PostgresVersion = PgVersion.Of(16) }), one).Token);
        Assert.False(ClusterChanges.Between(stored, two).NeedsConfirmation);
        Assert.Empty(ClusterChanges.Between(stored, two).Items);
        Assert.False(ClusterChanges.Between(null, one).NeedsConfirmation);

        var plan = PlanFor(one, _ => Facts(), changes.DropSlots);
        var drop = plan.Steps.Single(s => s.Id == "drop-slot-seed_standby2");
        Assert.Contains("a standby still streams through it", drop.Apply[0].Script, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_merge_in_linear_time_and_a_spec_with_too_many_is_refused()
    {
        var many = Enumerable.Range(0, 201).ToDictionary(i => $"s{i}", _ => "1");
        var spec = SpecBuilder.Remote("debian-12", PgVersion.Of(15), primarySettings: many);
        Assert.Contains("settings.primary", SpecValidator.Validate(spec).Errors.Keys);
        var fine = SpecBuilder.Remote("debian-12", PgVersion.Of(15), primarySettings: many.Take(200).ToDictionary());
        Assert.True(SpecValidator.Validate(fine).IsValid);
        var conf = PlanFixtures.File(PlanFor(fine, _ => Facts()), "primary", "pgpanel.conf");
        Assert.Contains("s199 = '1'", conf, StringComparison.Ordinal);
    }
}
