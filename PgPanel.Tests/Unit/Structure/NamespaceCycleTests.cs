using System.Reflection;
using Microsoft.EntityFrameworkCore;
using PgPanel.Core.Persistence;
using Xunit.Abstractions;

namespace PgPanel.Tests.Unit.Structure;

/// <summary>
/// PgPanel.Core's namespaces are layers: each uses only the ones below it (docs/architecture.md, "Layers"). The graph is
/// read from the compiled PgPanel.Core.dll — signatures, attributes and method bodies, so a fully qualified name counts as
/// much as a using directive — and from its sources' using directives and qualified names, since a constant leaves
/// nothing in IL.
/// </summary>
public sealed class NamespaceCycleTests(ITestOutputHelper output)
{
    private const string Core = "PgPanel.Core";
    private const string Fixture = "PgPanel.Tests.Unit.Structure.CycleFixture";

    private static readonly Lazy<NamespaceGraph> CoreGraph = new(() => NamespaceGraph.Read(typeof(PanelDbContext).Assembly.Location, Core)
        .WithSources(Path.Combine(SolutionLayout.Root, "PgPanel.Core")));

    [Fact]
    public void Core_namespaces_use_each_other_without_a_cycle()
    {
        var graph = CoreGraph.Value;
        foreach (var from in graph.Namespaces.Order(StringComparer.Ordinal))
        {
            foreach (var (to, uses) in graph.Uses(from).OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                output.WriteLine($"{from} → {to}: {string.Join(", ", uses)}");
            }
        }

        var cycles = graph.Cycles();
        Assert.True(cycles.Count == 0, $"PgPanel.Core's namespaces form {cycles.Count} cycle(s):\n{string.Join("\n", cycles)}");
    }

    [Fact]
    public void Persistence_holds_the_DbContext_its_migrations_and_one_configuration_per_entity()
    {
        Assert.Equal($"{Core}.Persistence", typeof(PanelDbContext).Namespace);
        var types = typeof(PanelDbContext).Assembly.GetTypes();
        Assert.All(types.Where(t => t.IsAssignableTo(typeof(DbContext))), t => Assert.Equal(typeof(PanelDbContext), t));
        Assert.All(types.Where(t => t.IsDefined(typeof(Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute), inherit: false)),
            t => Assert.Equal($"{Core}.Persistence.Migrations", t.Namespace));

        var configured = types
            .SelectMany(t => t.GetInterfaces(), (t, i) => (Type: t, Interface: i))
            .Where(x => x.Interface.IsGenericType && x.Interface.GetGenericTypeDefinition() == typeof(IEntityTypeConfiguration<>))
            .ToList();
        Assert.All(configured, x => Assert.Equal($"{Core}.Persistence.EntityConfigurations", x.Type.Namespace));
        var sets = typeof(PanelDbContext).GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(p => p.PropertyType.IsGenericType && p.PropertyType.GetGenericTypeDefinition() == typeof(DbSet<>))
            .Select(p => p.PropertyType.GetGenericArguments()[0]);
        Assert.Equal(
            sets.Select(t => t.Name).Order(StringComparer.Ordinal),
            configured.Select(x => x.Interface.GetGenericArguments()[0].Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_graph_sees_a_cycle_closed_inside_a_method_body()
    {
        var graph = NamespaceGraph.Read(typeof(NamespaceCycleTests).Assembly.Location, Fixture);

        var cycle = Assert.Single(graph.Cycles());
        output.WriteLine(cycle);
        Assert.StartsWith($"{Fixture}.Left → {Fixture}.Right → {Fixture}.Left\n", cycle, StringComparison.Ordinal);
        Assert.Contains("(Caller → Callee)", cycle, StringComparison.Ordinal);
        Assert.Equal([$"{Fixture}.Below", $"{Fixture}.Right"], graph.Uses($"{Fixture}.Left").Keys.Order(StringComparer.Ordinal));
        Assert.Empty(graph.Uses($"{Fixture}.Below"));
    }

    [Fact]
    public void The_sources_show_a_cycle_closed_by_a_constant()
    {
        var graph = NamespaceGraph.Read(typeof(NamespaceCycleTests).Assembly.Location, Fixture)
            .WithSources(Path.Combine(SolutionLayout.Root, "PgPanel.Tests", "Unit", "Structure", "CycleFixture"));

        var cycles = graph.Cycles();
        foreach (var cycle in cycles)
        {
            output.WriteLine(cycle);
        }

        Assert.Equal(2, cycles.Count);
        Assert.Contains(cycles, c => c.StartsWith($"{Fixture}.Owner → {Fixture}.User → {Fixture}.Owner\n", StringComparison.Ordinal)
            && c.Contains("(Account.cs: Owner.Limits)", StringComparison.Ordinal));
    }
}
