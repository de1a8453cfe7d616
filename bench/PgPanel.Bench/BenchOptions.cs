using System.Globalization;

namespace PgPanel.Bench;

/// <summary>Which benchmarks to run and their sizes.</summary>
public sealed record BenchOptions(IReadOnlySet<string> Names, int Nodes, int Seconds, string WorkDirectory)
{
    /// <summary>Every benchmark, in the order a full run takes them.</summary>
    public static readonly IReadOnlyList<string> All = ["streaming", "clone", "monitor", "ui", "lag"];

    /// <summary>B1: measured runs of each kind (after one warm-up); --runs sets it and B2's.</summary>
    public int StreamingRuns { get; init; } = 7;

    /// <summary>B2: pgbench scale of the primary (130 ≈ 2 GB).</summary>
    public int CloneScale { get; init; } = 130;

    /// <summary>B2: measured clones of each kind.</summary>
    public int CloneRuns { get; init; } = 5;

    /// <summary>B4: runs seeded into the job history.</summary>
    public int SeededRuns { get; init; } = 10_000;

    /// <summary>B4/B5: seconds of sampling (dashboard latency, lag under load).</summary>
    public int SampleSeconds { get; init; } = 20;

    /// <summary>B5: seconds the primary stays idle while the replay delay is watched.</summary>
    public int IdleSeconds { get; init; } = 60;

    public bool Runs(string name) => Names.Count == 0 || Names.Contains(name);

    /// <summary>The options of one benchmark: its own directory under the work directory.</summary>
    public BenchOptions For(string name) => this with { WorkDirectory = Path.Combine(WorkDirectory, name) };

    public static BenchOptions Parse(string[] args)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        int nodes = 500;
        int? seconds = null;
        var quick = false;
        int? scale = null, runs = null, seeded = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--nodes": nodes = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--seconds": seconds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--scale": scale = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--runs": runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--seed-runs": seeded = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--quick": quick = true; break;
                case var name when All.Contains(name): names.Add(name); break;
                default: throw new ArgumentException($"Unknown argument {args[i]}. Names: {string.Join(", ", All)}; options: --nodes N --seconds N --scale N --runs N --seed-runs N --quick");
            }
        }

        return new BenchOptions(names, nodes, seconds ?? (quick ? 5 : 30), $"/tmp/pgpanel-bench-{Environment.ProcessId}")
        {
            StreamingRuns = runs ?? (quick ? 1 : 7),
            CloneScale = scale ?? (quick ? 5 : 130),
            CloneRuns = runs ?? (quick ? 1 : 5),
            SeededRuns = seeded ?? (quick ? 1_000 : 10_000),
            SampleSeconds = quick ? 5 : 20,
            IdleSeconds = quick ? 10 : 60,
        };
    }
}
