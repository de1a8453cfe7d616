namespace PgPanel.Tests.Unit.Structure.CycleFixture.Right;

/// <summary>Uses Left only as a generic argument in a parameter's type, which closes the cycle Left → Right → Left.</summary>
internal static class Callee
{
    public static int Answer() => 42;

    public static int Count(IReadOnlyList<Left.Caller> callers) => callers.Count;
}
