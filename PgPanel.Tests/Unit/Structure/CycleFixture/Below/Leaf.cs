namespace PgPanel.Tests.Unit.Structure.CycleFixture.Below;

/// <summary>Used by the cycle, using nothing: a namespace outside it.</summary>
internal static class Leaf
{
    public static int One() => 1;
}
