using PgPanel.Core.Records;
using PgPanel.Web.Components.Pages.Clusters;

namespace PgPanel.Tests.Unit;

public sealed class LagChartModelTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_outage_is_a_band_not_a_flat_zero_and_bytes_and_seconds_are_separate_charts_with_their_own_units()
    {
        var states = new[] { StandbyState.Streaming, StandbyState.Streaming, StandbyState.Down, StandbyState.Down, StandbyState.Down, StandbyState.Streaming,
            StandbyState.ReplayPaused, StandbyState.ReplayPaused, StandbyState.Streaming, StandbyState.Streaming };
        var points = states.Select((s, i) => new LagPoint(T0.AddSeconds(2 * i), "standby1",
            s == StandbyState.Down ? null : (i + 1) * 3L * 1024 * 1024, s == StandbyState.Down ? null : 47.0, s)).ToList();

        var chart = LagChartModel.From(points, days: false);

        Assert.Equal(10, chart.Points);
        Assert.Equal("MiB", chart.BytesUnit);
        Assert.Equal("standby1 (MiB)", Assert.Single(chart.Bytes).Name);
        Assert.Equal(30, chart.Bytes[0].Data.Values.Last());
        Assert.Equal("standby1 (s)", Assert.Single(chart.Delay).Name);
        Assert.Equal(47, chart.Delay[0].Data.Values.First());
        Assert.Collection(chart.Bands,
            b => Assert.Equal((StandbyState.Down, 2, 4, T0.AddSeconds(4), T0.AddSeconds(8)), (b.State, b.From, b.To, b.Since, b.Until)),
            b => Assert.Equal((StandbyState.ReplayPaused, 6, 7), (b.State, b.From, b.To)));
    }

    [Fact]
    public void Labels_never_crowd_a_long_range()
    {
        var points = Enumerable.Range(0, 7 * 24 * 60).Select(i => new LagPoint(T0.AddMinutes(i), "standby1", 100, 0, StandbyState.Streaming)).ToList();
        var chart = LagChartModel.From(points, days: true);
        Assert.Equal(points.Count, chart.Labels.Length);
        Assert.InRange(chart.Labels.Count(l => l.Length > 0), 2, 6);
        Assert.Equal("B", chart.BytesUnit);
        Assert.Empty(chart.Bands);
    }
}
