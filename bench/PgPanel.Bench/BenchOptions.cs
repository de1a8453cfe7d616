using System.Globalization;

namespace PgPanel.Bench;

/// <summary>Which benchmarks to run and their sizes.</summary>
public sealed record BenchOptions(IReadOnlySet<string> Names, int Nodes, int Seconds, string WorkDirectory)
{
    public bool Runs(string name) => Names.Count == 0 || Names.Contains(name);

    public static BenchOptions Parse(string[] args)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        int nodes = 500, seconds = 30;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--nodes": nodes = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--seconds": seconds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: names.Add(args[i]); break;
            }
        }

        return new BenchOptions(names, nodes, seconds, $"/tmp/pgpanel-bench-{Environment.ProcessId}");
    }
}
