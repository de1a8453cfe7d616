using System.Globalization;

namespace PgPanel.Bench;

/// <summary>Per-step durations over several runs (from the job history's StartedAt/FinishedAt), printed as medians: the profile of a figure.</summary>
public sealed class StepBreakdown
{
    private readonly Dictionary<string, List<double>> _milliseconds = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    public void Add(string step, double milliseconds)
    {
        if (!_milliseconds.TryGetValue(step, out var list))
        {
            _milliseconds[step] = list = [];
            _order.Add(step);
        }

        list.Add(milliseconds);
    }

    public void Print(TextWriter output, string title)
    {
        output.WriteLine($"{title} (median ms per step over runs, in plan order):");
        foreach (var step in _order)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {step,-40} {Statistics.Median(_milliseconds[step]),9:0.0}"));
        }
    }
}
