using Bunit;
using PgPanel.Core;
using PgPanel.Core.Clusters;
using PgPanel.Core.Monitoring;
using PgPanel.Core.Security;
using PgPanel.Core.Specs;
using PgPanel.Web.Components.Pages.Clusters;

namespace PgPanel.Tests.Components;

public sealed class ClusterDashboardTests : PanelComponentTest
{
    [Fact]
    public async Task A_new_sample_updates_the_numbers_and_the_state_without_a_reload()
    {
        var spec = Unit.SpecBuilder.Local(PgPanel.Core.Planning.PgVersion.Of(15));
        await Core<ClusterStore>().SaveAsync("demo", "15", PanelJson.Serialize(spec), new Dictionary<string, Secret>(), Guid.NewGuid());
        Core<SampleStore>().Add(Sample(0, StandbyState.Streaming, ClusterHealth.Healthy));

        var cut = Context.Render<ClusterDashboard>(p => p.Add(c => c.Name, "demo"));
        cut.WaitForAssertion(() => Assert.Equal("0 B", cut.Find("[data-testid=standby-standby1] [data-testid=lag-bytes]").TextContent.Trim()));
        Assert.Contains("streaming", cut.Find("[data-testid=topology-standby1]").TextContent);

        Core<MonitorEvents>().Publish(Sample(3 * 1024 * 1024, StandbyState.CatchingUp, ClusterHealth.Degraded));
        cut.WaitForAssertion(() => Assert.Equal("3.0 MiB", cut.Find("[data-testid=standby-standby1] [data-testid=lag-bytes]").TextContent.Trim()));
        Assert.Contains("catching-up", cut.Find("[data-testid=topology-standby1]").TextContent);
        Assert.Contains("degraded", cut.Markup);
    }

    private static ClusterSample Sample(long lag, StandbyState state, ClusterHealth health) => new(
        "demo", DateTimeOffset.UtcNow, health,
        new PrimarySample("primary", "127.0.0.1", 5432, true, false, "0/3000000",
            [new SenderSample("demo_standby1", "127.0.0.1", "streaming", "async", lag, lag, lag, lag, 0, 0, 0, 100, "0/3000000", "0/3000000")],
            [new SlotSample("demo_standby1", true, 0)], [new ProcessSample(100, "walsender", "streaming", "0/3000000")], 1, null),
        [new StandbySample("standby1", "127.0.0.1", 5433, true, true, state, "streaming", 0, 0, DateTimeOffset.UtcNow, 200, lag, 0,
            "127.0.0.1", 5432, "0/3000000", [new ProcessSample(200, "walreceiver", "streaming", "0/3000000")], 1, null)],
        state == StandbyState.Streaming ? [] : ["standby1: behind"]);
}
