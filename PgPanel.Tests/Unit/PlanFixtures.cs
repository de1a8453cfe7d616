using PgPanel.Core.Hosts;
using PgPanel.Core.Planning;
using PgPanel.Core.Specs;

namespace PgPanel.Tests.Unit;

/// <summary>Plans made from specs and fixed facts, without touching any host.</summary>
internal static class PlanFixtures
{
    public static Plan Remote(ClusterSpec spec)
    {
        var facts = Planner.NodeIds(spec).ToDictionary(id => id, id =>
        {
            Assert.True(OsTarget.TryParse(Planner.NodeSpecOf(spec, id).Os, out var os));
            return HostFacts.AssumedFor(os);
        });
        return Planner.Create(new PlanRequest(spec, facts, "/srv/pgpanel"));
    }

    /// <summary>A local pair on a Debian 12 machine where the panel runs as root and PostgreSQL is installed.</summary>
    public static Plan LocalDebianRoot(ClusterSpec spec)
    {
        var facts = new HostFacts
        {
            Os = new OsTarget("debian", "12"),
            CanBecomeRoot = true,
            User = "root",
            HasPostgresUser = true,
            PostgresBinDirectories = new Dictionary<PgVersion, string> { [spec.PostgresVersion] = $"/usr/lib/postgresql/{spec.PostgresVersion}/bin" },
        };
        return Planner.Create(new PlanRequest(spec, Planner.NodeIds(spec).ToDictionary(id => id, _ => facts), "/srv/pgpanel"));
    }

    public static string AllText(Plan plan) => ScriptExport.Render(plan);

    public static string File(Plan plan, string node, string fileName) =>
        plan.Steps.SelectMany(s => s.Files).Where(f => f.Node == node && f.Path.EndsWith("/" + fileName, StringComparison.Ordinal))
            .Select(f => f.Content).Last();
}
