using Microsoft.Playwright;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.E2E;

/// <summary>
/// The ECS path in Chromium: AccessKey, pickers filled from the (signature-checking) fake ECS/VPC API, the cloud calls
/// on Review, then a run that creates the instances and provisions the test-bed hosts the fake hands out.
/// </summary>
[Collection(TestbedCollection.Name)]
public sealed class EcsWizardTests(Testbed bed) : IAsyncLifetime
{
    private const string KeyId = "LTAI5tWizardTests";
    private const string KeySecret = "wizard-tests-access-key-secret";

    private readonly TestDirectory _directory = new("e2e-ecs");
    private FakeAlibabaCloud _cloud = null!;
    private PanelProcess _panel = null!;
    private BrowserSession _browser = null!;

    public async Task InitializeAsync()
    {
        await bed.ResetAsync(1);
        await bed.ResetAsync(2);
        _cloud = await FakeAlibabaCloud.StartAsync(new FakeAlibabaCloudOptions(KeyId, KeySecret, [bed.Host(1), bed.Host(2)]));
        _panel = await BuiltPanel.StartAsync(_directory.Path, "Development", new Dictionary<string, string>
        {
            ["PgPanel:Monitoring:IntervalSeconds"] = "1",
            ["PgPanel:Alibaba:EcsEndpoint"] = _cloud.Endpoint,
            ["PgPanel:Alibaba:VpcEndpoint"] = _cloud.Endpoint,
            ["PgPanel:Alibaba:PollIntervalSeconds"] = "0.2",
        });
        _browser = await BrowserSession.StartAsync($"http://127.0.0.1:{_panel.Port}");
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        await _panel.DisposeAsync();
        await _cloud.DisposeAsync();
        await bed.ResetAsync(1);
        await bed.ResetAsync(2);
        _directory.Dispose();
    }

    [Fact]
    public async Task A_user_picks_region_zone_vswitch_and_group_reviews_the_cloud_calls_and_gets_a_streaming_pair()
    {
        try
        {
            await WalkAsync();
        }
        catch
        {
            await _browser.ScreenshotAsync("failure-ecs-wizard");
            throw;
        }
    }

    private async Task WalkAsync()
    {
        var page = _browser.Page;
        await _browser.SignInAsync("admin", PanelFactory.AdminPassword);
        await _browser.GoAsync("/wizard");
        await page.GetByLabel("Cluster name").FillAsync("e2eecs");
        await page.GetByText("New Alibaba Cloud ECS instances").ClickAsync();
        var form = page.GetByTestId("ecs-form");
        await form.GetByLabel("AccessKey ID").FillAsync(KeyId);
        await form.GetByLabel("AccessKey secret").FillAsync(KeySecret);
        await form.GetByTestId("ecs-load").ClickAsync();
        await Assertions.Expect(form.GetByTestId("ecs-credential-source")).ToContainTextAsync("from panel");

        await PickAsync(page, "ecs-region", "cn-hangzhou · ");
        await PickAsync(page, "ecs-zone", "cn-hangzhou-h · ");
        await PickAsync(page, "ecs-vswitch", "vsw-fake01 · 10.77.77.0/24");
        await Assertions.Expect(form.GetByTestId("ecs-security-group")).ToContainTextAsync("sg-fake01");
        await form.GetByText("An ECS key pair").ClickAsync();
        await form.GetByLabel("Key pair name").FillAsync("pgpanel-testbed");
        await form.GetByLabel("Its private key").FillAsync(bed.Ed25519Key);
        await _browser.ScreenshotAsync("16-wizard-ecs-where");
        Assert.Empty(_cloud.Instances);

        await NextAsync(page);
        await Assertions.Expect(page.GetByTestId("ecs-hosts")).ToContainTextAsync("e2eecs-primary");
        await NextAsync(page);
        await page.GetByLabel("max_wal_senders").WaitForAsync();
        await NextAsync(page);
        await page.GetByTestId("cloud-calls").WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        await Assertions.Expect(page.GetByTestId("cloud-calls")).ToContainTextAsync("AuthorizeSecurityGroup");
        await Assertions.Expect(page.GetByTestId("preflight")).ToContainTextAsync("DryRun passed");
        await _browser.ScreenshotAsync("17-wizard-ecs-review");
        Assert.Empty(_cloud.Instances);
        Assert.DoesNotContain(KeySecret, await page.ContentAsync(), StringComparison.Ordinal);

        await NextAsync(page);
        await page.GetByTestId("provision").ClickAsync();
        await page.WaitForURLAsync("**/runs/**");
        await page.WaitForURLAsync("**/clusters/*?run=*", new PageWaitForURLOptions { Timeout = 180_000 });
        await Assertions.Expect(page.GetByTestId("topology-standby1")).ToContainTextAsync("streaming", new LocatorAssertionsToContainTextOptions { Timeout = 30_000 });
        await page.GetByTestId("from-run-link").ClickAsync();
        await page.Locator("[data-status='succeeded']").First.WaitForAsync();
        await Assertions.Expect(page.GetByTestId("cloud-resources")).ToContainTextAsync("ingress-rule");
        await Assertions.Expect(page.GetByTestId("cloud-resources")).ToContainTextAsync("TCP 5432/5432 from 10.77.77.0/24");
        await _browser.ScreenshotAsync("18-run-ecs");
        Assert.Equal(2, _cloud.Instances.Count);
        Assert.Equal("t", await bed.QueryAsync(2, "SELECT pg_is_in_recovery()"));
    }

    /// <summary>Opens a MudSelect and clicks the item whose text starts as given.</summary>
    private static async Task PickAsync(IPage page, string testId, string itemText)
    {
        await page.GetByTestId(testId).ClickAsync();
        await page.Locator(".mud-popover-open").GetByText(itemText).First.ClickAsync();
        await Assertions.Expect(page.GetByTestId(testId)).ToContainTextAsync(itemText.Split(' ')[0]);
    }

    private static async Task NextAsync(IPage page) =>
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Next" }).ClickAsync();
}
