using Microsoft.Playwright;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.E2E;

/// <summary>A user in Chromium sets up a local pair with the wizard and watches it stream.</summary>
[Collection(SerialCollection.Name)]
public sealed class LocalWizardTests() : BrowserPanelTest("e2e", MonitoringEverySecond)
{
    [Fact]
    public Task A_user_walks_the_wizard_for_this_machine_runs_the_plan_and_lands_on_a_streaming_dashboard() => ScreenshotOnFailureAsync("failure-local-wizard", WalkAsync);

    private async Task WalkAsync()
    {
        var page = Browser.Page;
        var ports = FreePorts.Take(2);
        await Browser.SignInAsync("admin", PanelFactory.AdminPassword);
        await Browser.ScreenshotAsync("01-dashboard-empty");

        await Browser.GoAsync("/wizard");
        var name = page.GetByLabel("Cluster name");
        await name.FillAsync("Bad Name");
        await NextAsync(page);
        await page.GetByText("Use 1–40 characters").First.WaitForAsync();
        Assert.Contains("Where", await page.Locator(".mud-stepper").InnerTextAsync());
        await Browser.ScreenshotAsync("02-wizard-where-invalid");
        await name.FillAsync("e2e");
        await NextAsync(page);

        await page.GetByTestId("host-primary").WaitForAsync();

        // A port out of range is refused with the field named, never clamped.
        await page.GetByTestId("host-primary").GetByLabel("PostgreSQL port").FillAsync("70000");
        await NextAsync(page);
        await Assertions.Expect(page.GetByTestId("host-primary")).ToContainTextAsync("A port is a number from 1 to 65535.");
        await Assertions.Expect(page.GetByTestId("wizard-errors")).ToContainTextAsync("primary.port");
        Assert.Equal("70000", await page.GetByTestId("host-primary").GetByLabel("PostgreSQL port").InputValueAsync());
        await Browser.ScreenshotAsync("21-wizard-port-refused");

        await page.GetByTestId("host-primary").GetByLabel("PostgreSQL port").FillAsync(ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByTestId("host-standbys[0]").GetByLabel("PostgreSQL port").FillAsync(ports[1].ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Browser.ScreenshotAsync("03-wizard-hosts");
        await NextAsync(page);

        await page.GetByLabel("max_wal_senders").WaitForAsync();
        await Browser.ScreenshotAsync("04-wizard-postgresql");
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
        await Assertions.Expect(page.GetByTestId("secret-replication")).ToContainTextAsync("export PGPANEL_REPLICATION_PASSWORD=");
        // The line is shell, quoted by ShellQuote: bash reads it back as one password of the generated length.
        var revealed = await page.GetByTestId("secret-replication").InnerTextAsync();
        var shell = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/bin/bash")
        {
            ArgumentList = { "-c", revealed.Trim() + "\nprintf %s \"$PGPANEL_REPLICATION_PASSWORD\"" },
            RedirectStandardOutput = true,
        })!;
        var password = await shell.StandardOutput.ReadToEndAsync();
        await shell.WaitForExitAsync();
        Assert.Equal(0, shell.ExitCode);
        Assert.True(password.Length >= 16, $"the revealed line read back as {password.Length} characters");
        Assert.Contains(password, revealed, StringComparison.Ordinal);
        await Browser.ScreenshotAsync("05-wizard-review");
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
        await Browser.ScreenshotAsync("07-cluster-dashboard");

        await page.GetByTestId("from-run-link").ClickAsync();
        await page.WaitForURLAsync(runUrl);
        await page.Locator("[data-status='succeeded']").First.WaitForAsync();
        Assert.Equal(0, await page.Locator("[data-status='failed']").CountAsync());
        Assert.True(await page.Locator("[data-status='changed']").CountAsync() > 5);
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Complete" }).CountAsync());
        await Browser.ScreenshotAsync("06-run-succeeded");

        await Browser.GoAsync("/runs");
        await page.GetByTestId("run-link").First.ClickAsync();
        await page.WaitForURLAsync(runUrl);
        await Assertions.Expect(page.GetByTestId("step-verify-sender-standby1")).ToContainTextAsync("passed");
        await Browser.ScreenshotAsync("08-runs");

        await Browser.GoAsync("/clusters");
        await Assertions.Expect(page.GetByTestId("cluster-e2e")).ToBeVisibleAsync();
        await Browser.ScreenshotAsync("09-clusters");
        await Browser.GoAsync("/settings");
        await page.GetByTestId("settings").WaitForAsync();
        await Browser.ScreenshotAsync("10-settings");
        await Browser.GoAsync("/account/users");
        await Assertions.Expect(page.GetByTestId("users")).ToContainTextAsync("admin");
        await Browser.ScreenshotAsync("14-users");
        await Browser.GoAsync("/account/tokens");
        await page.GetByTestId("create-token").ClickAsync();
        await Assertions.Expect(page.GetByTestId("new-token")).ToContainTextAsync("pgp_");
        await Browser.ScreenshotAsync("15-api-tokens");
    }

    private static async Task NextAsync(IPage page) =>
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Next" }).ClickAsync();
}
