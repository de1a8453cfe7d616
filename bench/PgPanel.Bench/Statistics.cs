namespace PgPanel.Bench;

/// <summary>Order statistics of measurements.</summary>
public static class Statistics
{
    public static double Median(IEnumerable<double> values) => Percentile(values, 0.5);

    /// <summary>The nearest-rank percentile; NaN for no values.</summary>
    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToList();
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        if (p == 0.5 && sorted.Count % 2 == 0)
        {
            return (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        }

        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
