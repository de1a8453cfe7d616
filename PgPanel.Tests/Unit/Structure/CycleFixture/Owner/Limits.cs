namespace PgPanel.Tests.Unit.Structure.CycleFixture.Owner;

/// <summary>Uses User in a signature; User uses it back only through a constant, which leaves nothing in IL.</summary>
internal static class Limits
{
    public const int Max = 3;

    public static bool Allows(User.Account account) => account.Sessions() <= Max;
}
