using System.Globalization;

namespace PgPanel.Bench;

/// <summary>The table every benchmark adds to: figure, PgPanel, baseline, ratio, goal, met.</summary>
public sealed class ResultTable
{
    private readonly List<(string Figure, string PgPanel, string Baseline, string Ratio, string Goal, bool Met)> _rows = [];

    public bool AllMet => _rows.All(r => r.Met);

    public void Add(string figure, double pgPanel, string unit, double? baseline, string goal, bool met)
    {
        var ratio = baseline is > 0 ? (pgPanel / baseline.Value).ToString("0.00", CultureInfo.InvariantCulture) + "×" : "–";
        _rows.Add((figure, Format(pgPanel, unit), baseline is null ? "–" : Format(baseline.Value, unit), ratio, goal, met));
    }

    public void Print(TextWriter output)
    {
        var header = ("figure", "PgPanel", "baseline", "ratio", "goal", "met");
        var widths = new[]
        {
            _rows.Select(r => r.Figure.Length).Append(header.Item1.Length).Max(),
            _rows.Select(r => r.PgPanel.Length).Append(header.Item2.Length).Max(),
            _rows.Select(r => r.Baseline.Length).Append(header.Item3.Length).Max(),
            _rows.Select(r => r.Ratio.Length).Append(header.Item4.Length).Max(),
            _rows.Select(r => r.Goal.Length).Append(header.Item5.Length).Max(),
        };
        void Line(string a, string b, string c, string d, string e, string f) =>
            output.WriteLine($"| {a.PadRight(widths[0])} | {b.PadLeft(widths[1])} | {c.PadLeft(widths[2])} | {d.PadLeft(widths[3])} | {e.PadRight(widths[4])} | {f} |");
        Line(header.Item1, header.Item2, header.Item3, header.Item4, header.Item5, header.Item6);
        output.WriteLine($"|{new string('-', widths[0] + 2)}|{new string('-', widths[1] + 2)}|{new string('-', widths[2] + 2)}|{new string('-', widths[3] + 2)}|{new string('-', widths[4] + 2)}|-----|");
        foreach (var r in _rows)
        {
            Line(r.Figure, r.PgPanel, r.Baseline, r.Ratio, r.Goal, r.Met ? "yes" : "NO");
        }
    }

    private static string Format(double value, string unit) => unit switch
    {
        "ms" => value.ToString("0.00", CultureInfo.InvariantCulture) + " ms",
        "%" => value.ToString("0.0", CultureInfo.InvariantCulture) + " %",
        "s" => value.ToString("0.00", CultureInfo.InvariantCulture) + " s",
        _ => value.ToString("0.00", CultureInfo.InvariantCulture) + (unit.Length > 0 ? " " + unit : ""),
    };
}
