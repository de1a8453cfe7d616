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
        _panel = await BuiltPanel.StartAsync(_directory.Path, "Development", new Dictionary<string, string> { ["PgPanel:Monitoring:IntervalSeconds"] = "1" });
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

        // A port out of range is refused with the field named, never clamped.
        await page.GetByTestId("host-primary").GetByLabel("PostgreSQL port").FillAsync("70000");
        await NextAsync(page);
        await Assertions.Expect(page.GetByTestId("host-primary")).ToContainTextAsync("A port is a number from 1 to 65535.");
        await Assertions.Expect(page.GetByTestId("wizard-errors")).ToContainTextAsync("primary.port");
        Assert.Equal("70000", await page.GetByTestId("host-primary").GetByLabel("PostgreSQL port").InputValueAsync());
        await _browser.ScreenshotAsync("21-wizard-port-refused");

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

        // The script's secrets are listed; the generated replication password is in the page only once revealed.
        var secrets = page.GetByTestId("script-secrets");
        await Assertions.Expect(secrets).ToContainTextAsync("PGPANEL_REPLICATION_PASSWORD");
        await Assertions.Expect(secrets).ToContainTextAsync("PGPANEL_MONITOR_PASSWORD");
        Assert.Equal(0, await page.GetByTestId("secret-replication").CountAsync());
        await page.GetByTestId("reveal-secrets").ClickAsync();
        await Assertions.Expect(page.GetByTestId("secret-replication")).ToContainTextAsync("export PGPANEL_REPLICATION_PASSWORD='");
        var revealed = await page.GetByTestId("secret-replication").InnerTextAsync();
        Assert.True(revealed.Length > "export PGPANEL_REPLICATION_PASSWORD=''".Length + 15, revealed);
        await _browser.ScreenshotAsync("05-wizard-review");
        await NextAsync(page);

        await page.GetByTestId("provision").ClickAsync();
        await page.WaitForURLAsync("**/runs/**");
        var runUrl = page.Url[..page.Url.IndexOf('?', StringComparison.Ordinal)];

        // Once the pair is verified the wizard lands on the cluster's dashboard, which links back to the run.
        await page.WaitForURLAsync("**/clusters/e2e?run=*", new PageWaitForURLOptions { Timeout = 120_000 });
        var topology = page.GetByTestId("topology-standby1");
        await Assertions.Expect(topology).ToContainTextAsync("streaming", new LocatorAssertionsToContainTextOptions { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("receiver-status")).ToHaveTextAsync("streaming");
        await Assertions.Expect(page.GetByTestId("stat-replication")).ToContainTextAsync("e2e_standby1");
        await Assertions.Expect(page.GetByTestId("from-run")).ToContainTextAsync("verified the pair");
        await _browser.ScreenshotAsync("07-cluster-dashboard");

        await page.GetByTestId("from-run-link").ClickAsync();
        await page.WaitForURLAsync(runUrl);
        await page.Locator("[data-status='succeeded']").First.WaitForAsync();
        Assert.Equal(0, await page.Locator("[data-status='failed']").CountAsync());
        Assert.True(await page.Locator("[data-status='changed']").CountAsync() > 5);
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Complete" }).CountAsync());
        await _browser.ScreenshotAsync("06-run-succeeded");

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
