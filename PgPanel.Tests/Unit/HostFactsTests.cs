using PgPanel.Core.Hosts;
using PgPanel.Core.Planning;
using PgPanel.Core.Records;
using PgPanel.Core.Specs;

namespace PgPanel.Tests.Unit;

public sealed class HostFactsTests
{
    [Theory]
    [InlineData("centos", "7", "rhel fedora", "centos-7", OsFamily.RedHat, 7)]
    [InlineData("rocky", "9.3", "rhel centos fedora", "rocky-9", OsFamily.RedHat, 9)]
    [InlineData("alinux", "3", "rhel fedora centos anolis", "alinux-3", OsFamily.RedHat, 8)]
    [InlineData("alinux", "2", "rhel fedora centos", "alinux-2", OsFamily.RedHat, 7)]
    [InlineData("debian", "12", "", "debian-12", OsFamily.Debian, 12)]
    [InlineData("ubuntu", "22.04", "debian", "ubuntu-22.04", OsFamily.Debian, 22)]
    [InlineData("almalinux", "8.9", "rhel centos fedora", "almalinux-8", OsFamily.RedHat, 8)]
    public void Os_release_maps_to_a_family_and_an_el_release(string id, string version, string like, string expected, OsFamily family, int el)
    {
        var os = OsTarget.FromOsRelease(id, version, like);
        Assert.NotNull(os);
        Assert.Equal(expected, os.ToString());
        Assert.Equal(family, os.Family);
        if (family == OsFamily.RedHat)
        {
            Assert.Equal(el, os.EnterpriseLinuxRelease);
        }
    }

    [Fact]
    public void Probe_output_is_parsed_into_facts()
    {
        var facts = HostProbe.Parse(
            """
            os.id=debian
            os.version=12
            os.like=
            os.pretty=Debian GNU/Linux 12 (bookworm)
            user=root
            uid=0
            pg=15.18|/usr/lib/postgresql/15/bin
            pg=9.6.24|/usr/lib/postgresql/9.6/bin
            postgres_user=1
            free_kb=1048576
            """, "test host");
        Assert.Equal("debian-12", facts.Os.ToString());
        Assert.True(facts.CanBecomeRoot);
        Assert.False(facts.HasSystemd);
        Assert.Equal("/usr/lib/postgresql/15/bin", facts.PostgresBinDirectories[PgVersion.Of(15)]);
        Assert.Equal("/usr/lib/postgresql/9.6/bin", facts.PostgresBinDirectories[PgVersion.V9_6]);
        Assert.Equal(1024L * 1024 * 1024, facts.FreeBytes);
    }

    [Fact]
    public void An_unsupported_os_is_a_clear_error() =>
        Assert.Contains("does not support", Assert.Throws<HostProbeException>(() => HostProbe.Parse("os.id=windows\nos.pretty=Windows\n", "h")).Message);

    [Fact]
    public void A_panel_without_root_on_a_host_without_postgres_gets_a_preflight_with_the_install_command()
    {
        var spec = SpecBuilder.Local(PgVersion.Of(16));
        var facts = new HostFacts { Os = new OsTarget("debian", "12"), CanBecomeRoot = false, User = "dba" };
        var plan = Planner.Create(new PlanRequest(spec, Planner.NodeIds(spec).ToDictionary(id => id, _ => facts), "/home/dba/pgpanel"));
        var step = Assert.Single(plan.Steps, s => s.Id.StartsWith("preflight-binaries", StringComparison.Ordinal));
        Assert.Equal(StepKind.Preflight, step.Kind);
        Assert.Contains("apt-get install -y postgresql-16", step.Check!.Script);
        Assert.DoesNotContain(plan.Steps, s => s.Id.StartsWith("install", StringComparison.Ordinal));
        Assert.All(plan.Steps.SelectMany(s => s.AllCommands), c => Assert.Null(c.RunAs));
        Assert.Equal(0, plan.Steps.ToList().FindIndex(s => s.Id.StartsWith("preflight-binaries", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_root_panel_on_a_host_without_postgres_installs_it_once_for_both_local_nodes()
    {
        var spec = SpecBuilder.Local(PgVersion.Of(15));
        var facts = new HostFacts { Os = new OsTarget("debian", "12"), CanBecomeRoot = true };
        var plan = Planner.Create(new PlanRequest(spec, Planner.NodeIds(spec).ToDictionary(id => id, _ => facts), "/srv/pgpanel"));
        var install = Assert.Single(plan.Steps, s => s.Id.StartsWith("install", StringComparison.Ordinal));
        Assert.Contains("apt-get install -y -q postgresql-15", install.Apply[0].Script);
        Assert.Equal("root", install.Apply[0].RunAs);
    }
}
