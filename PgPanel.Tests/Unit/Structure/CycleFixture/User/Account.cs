namespace PgPanel.Tests.Unit.Structure.CycleFixture.User;

/// <summary>Reads Owner's constant: the compiler copies the value in, so only the source shows the cycle.</summary>
internal sealed class Account
{
    public int Sessions() => Owner.Limits.Max;
}
