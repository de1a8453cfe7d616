using System.Reflection;
using PgPanel.Tests.Integration.Postgres;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.Unit;

/// <summary>
/// Unit and component tests run in parallel; integration and browser tests must not (they start real servers, panels and
/// Chromium). A test class under Integration or E2E that is not in a non-parallelized collection would run beside the others.
/// </summary>
public sealed class TestParallelismTests
{
    private static readonly Type[] TestClasses = [.. typeof(SerialCollection).Assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false }
        && t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static).Any(m => m.IsDefined(typeof(FactAttribute), inherit: true)))];

    [Fact]
    public void Every_integration_and_browser_test_class_is_in_a_collection_that_runs_alone()
    {
        var alone = NonParallelCollections();
        var serial = TestClasses.Where(t => InNamespace(t, "PgPanel.Tests.Integration") || InNamespace(t, "PgPanel.Tests.E2E")).ToList();
        Assert.Contains(typeof(LocalPairTests), serial);
        Assert.Contains(SerialCollection.Name, alone);

        var left = serial.Where(t => CollectionOf(t) is not { } name || !alone.Contains(name)).Select(t => t.FullName).ToList();
        Assert.True(left.Count == 0, $"not in a non-parallelized collection ([Collection(SerialCollection.Name)]): {string.Join(", ", left)}");
    }

    [Fact]
    public void Unit_and_component_test_classes_stay_parallel()
    {
        var alone = NonParallelCollections();
        var parallel = TestClasses.Where(t => InNamespace(t, "PgPanel.Tests.Unit") || InNamespace(t, "PgPanel.Tests.Components")).ToList();
        Assert.Contains(typeof(TestParallelismTests), parallel);

        var serialized = parallel.Where(t => CollectionOf(t) is { } name && alone.Contains(name)).Select(t => t.FullName).ToList();
        Assert.True(serialized.Count == 0, $"unit or component tests in a non-parallelized collection: {string.Join(", ", serialized)}");
    }

    private static bool InNamespace(Type type, string prefix) =>
        type.Namespace is { } ns && (ns == prefix || ns.StartsWith(prefix + ".", StringComparison.Ordinal));

    /// <summary>The name in the class's own [Collection] (xUnit does not look at base classes for it).</summary>
    private static string? CollectionOf(Type type) =>
        type.GetCustomAttributesData().SingleOrDefault(a => a.AttributeType == typeof(CollectionAttribute))?.ConstructorArguments.Single().Value as string;

    /// <summary>Names of the collections defined with DisableParallelization = true.</summary>
    private static HashSet<string> NonParallelCollections() =>
    [
        .. typeof(SerialCollection).Assembly.GetTypes()
            .SelectMany(t => t.GetCustomAttributesData().Where(a => a.AttributeType == typeof(CollectionDefinitionAttribute)))
            .Where(a => a.NamedArguments.Any(n => n.MemberName == nameof(CollectionDefinitionAttribute.DisableParallelization) && n.TypedValue.Value is true))
            .Select(a => (string)a.ConstructorArguments.Single().Value!),
    ];
}
