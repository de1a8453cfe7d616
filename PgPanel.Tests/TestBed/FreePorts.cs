using PgPanel.Testing;

namespace PgPanel.Tests.TestBed;

/// <summary>The tests' free loopback ports: 21000–32000, away from 5432 and from the bench's 10000–20000.</summary>
public static class FreePorts
{
    private static readonly FreePortRange Range = new(21000, 32000);

    public static int[] Take(int count) => Range.Take(count);
}
