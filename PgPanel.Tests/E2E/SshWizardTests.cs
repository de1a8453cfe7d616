using Microsoft.Playwright;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.E2E;

/// <summary>The SSH path in Chromium against the test bed: Test connection shows the facts and the host key to confirm.</summary>
[Collection(TestbedCollection.Name)]
public sealed class SshWizardTests(Testbed bed) : IAsyncLifetime
{
    private readonly TestDirectory _directory = new("e2e-ssh");
    private PanelProcess _panel = null!;
    private BrowserSession _browser = null!;

    public async Task InitializeAsync()
    {
        await bed.ResetAsync(1);
        await bed.ResetAsync(2);
        _panel = await BuiltPanel.StartAsync(_directory.Path, "Development", new Dictionary<string, string> { ["PgPanel:Monitoring:IntervalSeconds"] = "1" });
        _browser = await BrowserSession.StartAsync($"http://127.0.0.1:{_panel.Port}");
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        await _panel.DisposeAsync();
        await bed.ResetAsync(1);
        await bed.ResetAsync(2);
        _directory.Dispose();
    }

    [Fact]
    public async Task A_user_tests_the_connections_confirms_the_host_keys_and_provisions_over_ssh()
    {
        try
        {
            await WalkAsync();
        }
        catch
        {
            await _browser.ScreenshotAsync("failure-ssh-wizard");
            throw;
        }
    }

    private async Task WalkAsync()
    {
        var page = _browser.Page;
        await _browser.SignInAsync("admin", PanelFactory.AdminPassword);
        await _browser.GoAsync("/wizard");
        await page.GetByLabel("Cluster name").FillAsync("e2essh");
        await page.GetByText("Existing servers over SSH").ClickAsync();
        await NextAsync(page);

        foreach (var (prefix, host) in new[] { ("primary", 1), ("standbys[0]", 2) })
        {
            var form = page.GetByTestId($"host-{prefix}");
            await form.GetByLabel("Address").FillAsync(bed.Host(host));
            await form.GetByLabel("Private key (OpenSSH or PEM)").FillAsync(bed.Ed25519Key);
            await form.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Test connection" }).ClickAsync();
            var fingerprint = form.GetByTestId($"{prefix}-fingerprint");
            await Assertions.Expect(fingerprint).ToHaveTextAsync(await bed.FingerprintAsync(host), new LocatorAssertionsToHaveTextOptions { Timeout = 30_000 });
            await Assertions.Expect(form.GetByTestId($"{prefix}-facts")).ToContainTextAsync("Debian GNU/Linux 12");
            await form.GetByText("This is the host's key: pin it").ClickAsync();
        }

        await _browser.ScreenshotAsync("11-wizard-ssh-test-connection");
        await NextAsync(page);
        await page.GetByLabel("max_wal_senders").WaitForAsync();
        await NextAsync(page);
        await page.GetByTestId("plan-steps").WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        Assert.True(await page.GetByText("Register the clone as Debian cluster 15/main").CountAsync() > 0);
        await _browser.ScreenshotAsync("12-wizard-ssh-review");
        await NextAsync(page);
        await page.GetByTestId("provision").ClickAsync();
        await page.WaitForURLAsync("**/runs/**");
        await page.WaitForURLAsync("**/clusters/*?run=*", new PageWaitForURLOptions { Timeout = 180_000 });
        await Assertions.Expect(page.GetByTestId("topology-standby1")).ToContainTextAsync("streaming", new LocatorAssertionsToContainTextOptions { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("stat-replication")).ToContainTextAsync(bed.Host(2));
        await _browser.ScreenshotAsync("13-cluster-dashboard-ssh");
        Assert.Equal("t", await bed.QueryAsync(2, "SELECT pg_is_in_recovery()"));
    }

    private static async Task NextAsync(IPage page) =>
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Next" }).ClickAsync();
}
