using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.E2E;

/// <summary>
/// What protects a running cluster, in Chromium against a real local pair: new ports under an existing name are a
/// change that names its restarts and waits for a confirmation; a paused replay reads "replay paused"; an Admin
/// forgets the cluster without touching its servers; a Viewer sees no mutating control and a page that says why; a
/// stopped standby leaves a band and an alert in the history; a red pre-flight blocks Provision and registers nothing.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class ClusterGuardTests() : BrowserPanelTest("e2e-guard", MonitoringEverySecond)
{
    private int[] _ports = [];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _ports = FreePorts.Take(4);
        using var api = Panel.CreateApiClient();
        var job = await Api.WaitForJobAsync(api, await Api.StartJobAsync(api, Api.LocalSpec("guard", _ports[0], _ports[1])));
        Assert.True(Api.Status(job) == "succeeded", Api.Describe(job));
    }

    [Fact]
    public Task New_ports_need_a_confirmation_paused_replay_shows_forget_touches_no_server_and_a_viewer_only_reads() => ScreenshotOnFailureAsync("failure-cluster-guard", WalkAsync);

    private async Task WalkAsync()
    {
        var page = Browser.Page;
        await Browser.SignInAsync("admin", PanelFactory.AdminPassword);

        // The wizard with the existing name and new ports: the Review names the change and the restarts; Provision waits.
        await Browser.GoAsync("/wizard");
        await page.GetByLabel("Cluster name").FillAsync("guard");
        await NextAsync(page);
        await page.GetByTestId("host-primary").WaitForAsync();
        await page.GetByTestId("host-primary").GetByLabel("PostgreSQL port").FillAsync(_ports[2].ToString(CultureInfo.InvariantCulture));
        await page.GetByTestId("host-standbys[0]").GetByLabel("PostgreSQL port").FillAsync(_ports[3].ToString(CultureInfo.InvariantCulture));
        await NextAsync(page);
        await page.GetByLabel("max_wal_senders").WaitForAsync();
        await NextAsync(page);
        var changes = page.GetByTestId("changes");
        await changes.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        await Assertions.Expect(changes).ToContainTextAsync($"primary port {_ports[0]} → {_ports[2]}");
        await Assertions.Expect(page.GetByTestId("restarts")).ToContainTextAsync("primary, standby1");
        await Browser.ScreenshotAsync("16-existing-cluster-changes");
        await NextAsync(page);
        await Assertions.Expect(page.GetByTestId("provision")).ToBeDisabledAsync();
        await Browser.ScreenshotAsync("17-provision-waits-for-confirmation");

        // Nothing restarted: the pair still serves the old ports.
        var psql = $"{LocalPostgres.BinDirectory}/psql -X -q -At -v ON_ERROR_STOP=1 -h {LocalPostgres.SocketDirectory} -d postgres";
        Assert.True((await LocalPostgres.RunAsync($"{psql} -p {_ports[0]} -c 'SELECT 1'")).Succeeded);

        // Paused replay is its own state on the dashboard.
        var pause = await LocalPostgres.RunAsync($"{psql} -p {_ports[1]} -c 'SELECT pg_wal_replay_pause()'");
        Assert.True(pause.Succeeded, pause.Output);
        Assert.True((await LocalPostgres.RunAsync($"{psql} -p {_ports[0]} -c 'CREATE TABLE guard_pause AS SELECT g FROM generate_series(1, 10000) g'")).Succeeded);
        await Browser.GoAsync("/clusters/guard");
        await Assertions.Expect(page.GetByTestId("topology-standby1")).ToContainTextAsync("replay paused", new LocatorAssertionsToContainTextOptions { Timeout = 20_000 });
        await Assertions.Expect(page.GetByText("WAL replay is paused").First).ToBeVisibleAsync();
        await Browser.ScreenshotAsync("18-replay-paused");
        Assert.True((await LocalPostgres.RunAsync($"{psql} -p {_ports[1]} -c 'SELECT pg_wal_replay_resume()'")).Succeeded);
        await Assertions.Expect(page.GetByTestId("topology-standby1")).ToContainTextAsync("streaming", new LocatorAssertionsToContainTextOptions { Timeout = 20_000 });

        // A stopped standby: flagged, an alert raised into the history on the page, and a band over the outage on the chart.
        var standbyData = Path.Combine(DataDirectory, "clusters", "guard", "standby1");
        var stop = await LocalPostgres.RunAsync($"{LocalPostgres.BinDirectory}/pg_ctl stop -D {standbyData} -m fast -w");
        Assert.True(stop.Succeeded, stop.Output);
        var slow = new LocatorAssertionsToContainTextOptions { Timeout = 30_000 };
        await Assertions.Expect(page.GetByTestId("topology-standby1")).ToContainTextAsync(new System.Text.RegularExpressions.Regex("down|disconnected"), slow);
        await Assertions.Expect(page.GetByTestId("alert-history")).ToContainTextAsync("raised", slow);
        var outage = page.Locator("[data-testid='band-standby1-down'], [data-testid='band-standby1-disconnected']");
        await Assertions.Expect(outage.First).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 30_000 });
        await Browser.ScreenshotAsync("22-standby-stopped-band-and-alert");
        var start = await LocalPostgres.RunAsync($"{LocalPostgres.BinDirectory}/pg_ctl start -D {standbyData} -l {standbyData}.log -w");
        Assert.True(start.Succeeded, start.Output);
        await Assertions.Expect(page.GetByTestId("topology-standby1")).ToContainTextAsync("streaming", slow);
        await Assertions.Expect(page.GetByTestId("alert-history")).ToContainTextAsync("cleared", slow);
        await Assertions.Expect(outage.First).ToBeVisibleAsync();

        // A new cluster on a port another server holds: the pre-flight is red, Provision stays off, and a run forced
        // through the API fails before any change and registers nothing.
        await Browser.GoAsync("/wizard");
        await page.GetByLabel("Cluster name").FillAsync("blocked");
        await NextAsync(page);
        await page.GetByTestId("host-primary").WaitForAsync();
        await page.GetByTestId("host-primary").GetByLabel("PostgreSQL port").FillAsync(_ports[0].ToString(CultureInfo.InvariantCulture));
        await page.GetByTestId("host-standbys[0]").GetByLabel("PostgreSQL port").FillAsync(_ports[3].ToString(CultureInfo.InvariantCulture));
        await NextAsync(page);
        await page.GetByLabel("max_wal_senders").WaitForAsync();
        await NextAsync(page);
        await page.GetByTestId("plan-steps").WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        await NextAsync(page);
        await Assertions.Expect(page.GetByTestId("preflight-blocks")).ToContainTextAsync("primary");
        await Assertions.Expect(page.GetByTestId("provision")).ToBeDisabledAsync();
        await Browser.ScreenshotAsync("23-red-preflight-blocks-provision");
        using (var api = Panel.CreateApiClient())
        {
            var failed = await Api.WaitForJobAsync(api, await Api.StartJobAsync(api, Api.LocalSpec("blocked", _ports[0], _ports[3])));
            Assert.True(Api.Status(failed) == "failed", Api.Describe(failed));
            var clusters = await api.GetFromJsonAsync<JsonArray>("/api/clusters");
            Assert.DoesNotContain(clusters!, c => c!["name"]!.GetValue<string>() == "blocked");
        }

        await Browser.GoAsync("/clusters");
        await Assertions.Expect(page.GetByTestId("cluster-guard")).ToBeVisibleAsync();
        Assert.Equal(0, await page.GetByTestId("cluster-blocked").CountAsync());

        // A Viewer: no mutating control, and a page that says why on a typed URL.
        using (var api = Panel.CreateApiClient())
        {
            var created = await api.PostAsJsonAsync("/api/users", new { userName = "watcher", password = "Watcher-Password-1", role = "Viewer" });
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        }

        await page.GotoAsync("/logout");
        await Browser.SignInAsync("watcher", "Watcher-Password-1");
        Assert.Equal(0, await page.GetByText("New cluster").CountAsync());
        await Browser.GoAsync("/clusters/guard");
        await page.GetByTestId("topology-standby1").WaitForAsync();
        Assert.Equal(0, await page.GetByTestId("forget-open").CountAsync());
        await page.GotoAsync("/wizard");
        await Assertions.Expect(page.GetByTestId("access-denied")).ToContainTextAsync("This page needs another role");
        await Assertions.Expect(page.GetByTestId("access-denied")).ToContainTextAsync("watcher");
        await Browser.ScreenshotAsync("19-viewer-forbidden");

        // The Admin forgets the cluster: gone from PgPanel, its servers untouched.
        await page.GotoAsync("/logout");
        await Browser.SignInAsync("admin", PanelFactory.AdminPassword);
        await Browser.GoAsync("/clusters/guard");
        await page.GetByTestId("forget-open").ClickAsync();
        await page.GetByTestId("forget-name").FillAsync("guard");
        await Browser.ScreenshotAsync("20-forget-cluster");
        await page.GetByTestId("forget-confirm").ClickAsync();
        await page.WaitForURLAsync("**/clusters");
        using (var api = Panel.CreateApiClient())
        {
            var clusters = await api.GetFromJsonAsync<JsonArray>("/api/clusters");
            Assert.DoesNotContain(clusters!, c => c!["name"]!.GetValue<string>() == "guard");
        }

        Assert.True((await LocalPostgres.RunAsync($"{psql} -p {_ports[0]} -c 'SELECT 1'")).Succeeded);
        Assert.True((await LocalPostgres.RunAsync($"{psql} -p {_ports[1]} -c 'SELECT pg_is_in_recovery()'")).Succeeded);
    }

    private static async Task NextAsync(IPage page) =>
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Next" }).ClickAsync();
}
