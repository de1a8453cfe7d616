using Bunit;
using PgPanel.Core;
using PgPanel.Core.Clusters;
using PgPanel.Core.Monitoring;
using PgPanel.Core.Records;
using PgPanel.Core.Specs;
using PgPanel.Web.Components.Pages.Clusters;

namespace PgPanel.Tests.Components;

public sealed class ClusterDashboardTests : PanelComponentTest
{
    [Fact]
    public async Task A_new_sample_updates_the_numbers_and_the_state_without_a_reload()
    {
        var spec = Unit.SpecBuilder.Local(PgVersion.Of(15));
        await Core<ClusterStore>().SaveAsync("demo", "15", PanelJson.Serialize(spec), Guid.NewGuid());
        Core<SampleStore>().Add(Sample(0, StandbyState.Streaming, ClusterHealth.Healthy));

        var cut = Context.Render<ClusterDashboard>(p => p.Add(c => c.Name, "demo"));
        cut.WaitForAssertion(() => Assert.Equal("0 B", cut.Find("[data-testid=standby-standby1] [data-testid=lag-bytes]").TextContent.Trim()));
        Assert.Contains("streaming", cut.Find("[data-testid=topology-standby1]").TextContent);

        Core<MonitorEvents>().Publish(Sample(3 * 1024 * 1024, StandbyState.CatchingUp, ClusterHealth.Degraded));
        cut.WaitForAssertion(() => Assert.Equal("3.0 MiB", cut.Find("[data-testid=standby-standby1] [data-testid=lag-bytes]").TextContent.Trim()));
        Assert.Contains("catching up", cut.Find("[data-testid=topology-standby1]").TextContent);
        Assert.Contains("degraded", cut.Markup);
    }

    [Fact]
    public async Task An_admin_forgets_a_cluster_after_typing_its_name_and_a_viewer_sees_no_such_control()
    {
        var spec = Unit.SpecBuilder.Local(PgVersion.Of(15));
        await Core<ClusterStore>().SaveAsync("demo", "15", PanelJson.Serialize(spec), Guid.NewGuid());
        Core<SampleStore>().Add(Sample(0, StandbyState.Streaming, ClusterHealth.Healthy));

        var cut = Context.Render<ClusterDashboard>(p => p.Add(c => c.Name, "demo"));
        cut.WaitForAssertion(() => cut.Find("[data-testid=forget-open]").Click());
        cut.WaitForAssertion(() => Assert.Contains("No server is touched", cut.Find("[data-testid=forget-panel]").TextContent));
        Assert.True(cut.Find("[data-testid=forget-confirm]").HasAttribute("disabled"));
        cut.Find("input[data-testid=forget-name], [data-testid=forget-name] input").Input("dem");
        Assert.True(cut.Find("[data-testid=forget-confirm]").HasAttribute("disabled"));
        Assert.NotNull(await Core<ClusterStore>().GetAsync("demo"));
        cut.Find("input[data-testid=forget-name], [data-testid=forget-name] input").Input("demo");
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=forget-confirm]").HasAttribute("disabled")));
        cut.Find("[data-testid=forget-confirm]").Click();
        await WaitUntilAsync(async () => await Core<ClusterStore>().GetAsync("demo") is null);

        await Core<ClusterStore>().SaveAsync("demo", "15", PanelJson.Serialize(spec), Guid.NewGuid());
        Auth.SetAuthorized("viewer").SetRoles(PgPanel.Core.Accounts.PanelRoles.Viewer);
        Auth.SetPolicies();
        var asViewer = Context.Render<ClusterDashboard>(p => p.Add(c => c.Name, "demo"));
        asViewer.WaitForAssertion(() => Assert.Contains("standby1", asViewer.Markup));
        Assert.Empty(asViewer.FindAll("[data-testid=forget-open]"));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100 && !await condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(await condition());
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
