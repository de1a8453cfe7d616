using PgPanel.Testing;

namespace PgPanel.Bench;

/// <summary>The bench's free loopback ports: 10000–20000, away from the tests' 21000–32000 (see FreePorts there).</summary>
public static class BenchPorts
{
    private static readonly FreePortRange Range = new(10000, 20000);

    public static int[] Take(int count) => Range.Take(count);
}
