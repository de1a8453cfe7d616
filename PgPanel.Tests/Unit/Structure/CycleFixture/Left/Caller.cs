namespace PgPanel.Tests.Unit.Structure.CycleFixture.Left;

/// <summary>Uses Right only inside a method body (a call; no local, no signature): the graph must still see it.</summary>
internal sealed class Caller
{
    public int Call() => Right.Callee.Answer() + Below.Leaf.One();
}
