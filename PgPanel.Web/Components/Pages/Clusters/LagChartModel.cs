using System.Globalization;
using MudBlazor;
using PgPanel.Core.Records;

namespace PgPanel.Web.Components.Pages.Clusters;

/// <summary>
/// What the dashboard draws for a time range: byte lag and replay delay as two charts (each with its own unit, chosen
/// from the largest value), and per standby the stretches when it was not streaming — down, disconnected, paused,
/// catching up — as bands, so that an outage never reads as a flat zero. Pure; built from samples or minute points.
/// </summary>
public sealed class LagChartModel
{
    private const int MaxLabels = 6;

    public required string[] Labels { get; init; }

    public required List<ChartSeries<double>> Bytes { get; init; }

    /// <summary>The unit of <see cref="Bytes"/>: B, KiB, MiB or GiB.</summary>
    public required string BytesUnit { get; init; }

    public required List<ChartSeries<double>> Delay { get; init; }

    public required IReadOnlyList<StateBand> Bands { get; init; }

    /// <summary>How many points the range holds (the width the bands are measured against).</summary>
    public required int Points { get; init; }

    public static LagChartModel Empty { get; } = new() { Labels = [], Bytes = [], BytesUnit = "B", Delay = [], Bands = [], Points = 0 };

    public static LagChartModel From(IReadOnlyList<LagPoint> points, bool days)
    {
        ArgumentNullException.ThrowIfNull(points);
        var times = points.Select(p => p.At).Distinct().Order().ToList();
        if (times.Count == 0)
        {
            return Empty;
        }

        var index = times.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i);
        var step = Math.Max(1, (int)Math.Ceiling(times.Count / (double)MaxLabels));
        var labels = times.Select((t, i) => i % step == 0 ? t.ToLocalTime().ToString(days ? "ddd HH:mm" : "HH:mm:ss", CultureInfo.InvariantCulture) : "").ToArray();

        var largest = points.Max(p => p.LagBytes ?? 0);
        var (unit, divisor) = largest switch
        {
            >= 1024L * 1024 * 1024 => ("GiB", 1024d * 1024 * 1024),
            >= 1024L * 1024 => ("MiB", 1024d * 1024),
            >= 1024 => ("KiB", 1024d),
            _ => ("B", 1d),
        };

        var byNode = points.GroupBy(p => p.Node).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        double[] Series(IEnumerable<LagPoint> nodePoints, Func<LagPoint, double> value)
        {
            var data = new double[times.Count];
            foreach (var p in nodePoints)
            {
                data[index[p.At]] = value(p);
            }

            return data;
        }

        var bytes = byNode.Select(g => new ChartSeries<double> { Name = $"{g.Key} ({unit})", Data = new ChartData<double>(Series(g, p => Math.Round((p.LagBytes ?? 0) / divisor, 2)).ToList()) }).ToList();
        var delay = byNode.Select(g => new ChartSeries<double> { Name = $"{g.Key} (s)", Data = new ChartData<double>(Series(g, p => Math.Round(p.DelaySeconds ?? 0, 3)).ToList()) }).ToList();

        var bands = new List<StateBand>();
        foreach (var g in byNode)
        {
            StateBand? open = null;
            foreach (var p in g.OrderBy(p => p.At))
            {
                var i = index[p.At];
                if (open is not null && (p.State != open.State || i > open.To + 1))
                {
                    bands.Add(open);
                    open = null;
                }

                if (p.State != StandbyState.Streaming)
                {
                    open = open is null ? new StateBand(g.Key, p.State, i, i, p.At, p.At) : open with { To = i, Until = p.At };
                }
            }

            if (open is not null)
            {
                bands.Add(open);
            }
        }

        return new LagChartModel { Labels = labels, Bytes = bytes, BytesUnit = unit, Delay = delay, Bands = bands, Points = times.Count };
    }
}

/// <summary>One standby at one time: lag (null when it could not be measured), delay and state.</summary>
public sealed record LagPoint(DateTimeOffset At, string Node, long? LagBytes, double? DelaySeconds, StandbyState State);

/// <summary>A stretch of points [From, To] in which a standby was in a state other than streaming.</summary>
public sealed record StateBand(string Node, StandbyState State, int From, int To, DateTimeOffset Since, DateTimeOffset Until);
