using Microsoft.Playwright;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.E2E;

/// <summary>A user in Chromium sets up a local pair with the wizard and watches it stream.</summary>
public sealed class LocalWizardTests : IAsyncLifetime
{
    private readonly TestDirectory _directory = new("e2e");
    private PanelProcess _panel = null!;
    private BrowserSession _browser = null!;

    public async Task InitializeAsync()
    {
        _panel = await PanelProcess.StartAsync(_directory.Path, "Development", new Dictionary<string, string> { ["PgPanel:Monitoring:IntervalSeconds"] = "1" });
        _browser = await BrowserSession.StartAsync($"http://127.0.0.1:{_panel.Port}");
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        await _panel.DisposeAsync();
        await LocalPostgres.StopAllUnderAsync(_directory.Path);
        _directory.Dispose();
    }

    [Fact]
    public async Task A_user_walks_the_wizard_for_this_machine_runs_the_plan_and_lands_on_a_streaming_dashboard()
    {
        try
        {
            await WalkAsync();
        }
        catch
        {
            await _browser.ScreenshotAsync("failure-local-wizard");
            throw;
        }
    }

    private async Task WalkAsync()
    {
        var page = _browser.Page;
        var ports = FreePorts.Take(2);
        await _browser.SignInAsync("admin", PanelFactory.AdminPassword);
        await _browser.ScreenshotAsync("01-dashboard-empty");

        await _browser.GoAsync("/wizard");
        var name = page.GetByLabel("Cluster name");
        await name.FillAsync("Bad Name");
        await NextAsync(page);
        await page.GetByText("Use 1–40 characters").First.WaitForAsync();
        Assert.Contains("Where", await page.Locator(".mud-stepper").InnerTextAsync());
        await _browser.ScreenshotAsync("02-wizard-where-invalid");
        await name.FillAsync("e2e");
        await NextAsync(page);

        await page.GetByTestId("host-primary").WaitForAsync();
        await page.GetByTestId("host-primary").GetByLabel("PostgreSQL port").FillAsync(ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByTestId("host-standbys[0]").GetByLabel("PostgreSQL port").FillAsync(ports[1].ToString(System.Globalization.CultureInfo.InvariantCulture));
        await _browser.ScreenshotAsync("03-wizard-hosts");
        await NextAsync(page);

        await page.GetByLabel("max_wal_senders").WaitForAsync();
        await _browser.ScreenshotAsync("04-wizard-postgresql");
        await NextAsync(page);

        await page.GetByTestId("plan-steps").WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        Assert.True(await page.GetByText("Clone the primary with pg_basebackup").CountAsync() > 0);
        var preflight = await page.GetByTestId("preflight").InnerTextAsync();
        Assert.Contains("is free", preflight);
        await _browser.ScreenshotAsync("05-wizard-review");
        await NextAsync(page);

        await page.GetByTestId("provision").ClickAsync();
        await page.WaitForURLAsync("**/runs/**");
        await page.Locator("[data-status='succeeded']").First.WaitForAsync(new LocatorWaitForOptions { Timeout = 120_000 });
        Assert.Equal(0, await page.Locator("[data-status='failed']").CountAsync());
        Assert.True(await page.Locator("[data-status='changed']").CountAsync() > 5);
        await _browser.ScreenshotAsync("06-run-succeeded");
        var runUrl = page.Url;

        await page.GetByTestId("to-dashboard").ClickAsync();
        await page.WaitForURLAsync("**/clusters/e2e");
        var topology = page.GetByTestId("topology-standby1");
        await Assertions.Expect(topology).ToContainTextAsync("streaming", new LocatorAssertionsToContainTextOptions { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("receiver-status")).ToHaveTextAsync("streaming");
        await Assertions.Expect(page.GetByTestId("stat-replication")).ToContainTextAsync("e2e_standby1");
        await _browser.ScreenshotAsync("07-cluster-dashboard");

        await _browser.GoAsync("/runs");
        await page.GetByTestId("run-link").First.ClickAsync();
        await page.WaitForURLAsync(runUrl);
        await Assertions.Expect(page.GetByTestId("step-verify-sender-standby1")).ToContainTextAsync("passed");
        await _browser.ScreenshotAsync("08-runs");

        await _browser.GoAsync("/clusters");
        await Assertions.Expect(page.GetByTestId("cluster-e2e")).ToBeVisibleAsync();
        await _browser.ScreenshotAsync("09-clusters");
        await _browser.GoAsync("/settings");
        await page.GetByTestId("settings").WaitForAsync();
        await _browser.ScreenshotAsync("10-settings");
        await _browser.GoAsync("/account/users");
        await Assertions.Expect(page.GetByTestId("users")).ToContainTextAsync("admin");
        await _browser.ScreenshotAsync("14-users");
        await _browser.GoAsync("/account/tokens");
        await page.GetByTestId("create-token").ClickAsync();
        await Assertions.Expect(page.GetByTestId("new-token")).ToContainTextAsync("pgp_");
        await _browser.ScreenshotAsync("15-api-tokens");
    }

    private static async Task NextAsync(IPage page) =>
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Next" }).ClickAsync();
}
