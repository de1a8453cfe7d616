using System.Globalization;
using Microsoft.Playwright;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.E2E;

/// <summary>
/// Every page at a phone's width (390 px) and a laptop's (1280 px), in Chromium, with a real pair to show: nothing makes the
/// page scroll sideways (wide tables scroll inside their own box), and the wizard's steps are all reachable. Screenshots
/// of each page at 390 px go to test-output/screenshots/phone-*.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class LayoutTests() : BrowserPanelTest("e2e-layout", MonitoringEverySecond)
{
    private Guid _run;
    private int[] _ports = [];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _ports = FreePorts.Take(4);
        using var api = Panel.CreateApiClient();
        _run = await Api.StartJobAsync(api, Api.LocalSpec("layout", _ports[0], _ports[1]));
        var job = await Api.WaitForJobAsync(api, _run);
        Assert.True(Api.Status(job) == "succeeded", Api.Describe(job));
    }

    [Theory]
    [InlineData(390, 844)]
    [InlineData(1280, 800)]
    public async Task Every_page_fits_the_window(int width, int height)
    {
        var page = Browser.Page;
        await page.SetViewportSizeAsync(width, height);
        await Browser.SignInAsync("admin", PanelFactory.AdminPassword);
        var prefix = width < 600 ? "phone" : "laptop";
        try
        {
            foreach (var (path, ready, name) in new (string, string, string)[]
            {
                ("/", "h4", "home"),
                ("/clusters", "[data-testid='cluster-layout']", "clusters"),
                ("/clusters/layout", "[data-testid='topology-standby1']", "cluster-dashboard"),
                ("/runs", "[data-testid='run-link']", "runs"),
                ($"/runs/{_run}", "[data-status='succeeded']", "run"),
                ("/settings", "h4", "settings"),
                ("/account/users", "h4", "users"),
                ("/account/tokens", "h4", "tokens"),
            })
            {
                await Browser.GoAsync(path);
                await page.Locator(ready).First.WaitForAsync();
                await Task.Delay(300);
                await AssertFitsAsync(page, width, $"{prefix}-{name}");
            }

            // The wizard, step by step, up to Provision.
            await Browser.GoAsync("/wizard");
            await page.GetByLabel("Cluster name").FillAsync("layout2");
            await AssertFitsAsync(page, width, $"{prefix}-wizard-1-where");
            await NextAsync(page);
            await page.GetByTestId("host-primary").WaitForAsync();
            await page.GetByTestId("host-primary").GetByLabel("PostgreSQL port").FillAsync(_ports[2].ToString(CultureInfo.InvariantCulture));
            await page.GetByTestId("host-standbys[0]").GetByLabel("PostgreSQL port").FillAsync(_ports[3].ToString(CultureInfo.InvariantCulture));
            await AssertFitsAsync(page, width, $"{prefix}-wizard-2-hosts");
            await NextAsync(page);
            await page.GetByLabel("max_wal_senders").WaitForAsync();
            await AssertFitsAsync(page, width, $"{prefix}-wizard-3-postgresql");
            await NextAsync(page);
            await page.GetByTestId("plan-steps").WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
            await AssertFitsAsync(page, width, $"{prefix}-wizard-4-review");
            await NextAsync(page);
            await Assertions.Expect(page.GetByTestId("provision")).ToBeEnabledAsync();
            await Assertions.Expect(page.GetByTestId("provision")).ToBeInViewportAsync();
            Assert.Equal(0, await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Complete" }).CountAsync());
            await AssertFitsAsync(page, width, $"{prefix}-wizard-5-run");
        }
        catch
        {
            await Browser.ScreenshotAsync($"failure-layout-{width}");
            throw;
        }
    }

    /// <summary>Fails when anything makes the document wider than the window; names the widest offenders.</summary>
    private async Task AssertFitsAsync(IPage page, int width, string screenshot)
    {
        if (width < 600)
        {
            await Browser.ScreenshotAsync(screenshot);
        }

        var offenders = await page.EvaluateAsync<string[]>(
            """
            () => {
              const w = window.innerWidth;
              if (document.documentElement.scrollWidth <= w) return [];
              const out = [];
              for (const e of document.querySelectorAll('body *')) {
                const r = e.getBoundingClientRect();
                if (r.right > w + 1 && r.width > 0) {
                  let inScroller = false;
                  for (let p = e.parentElement; p; p = p.parentElement) {
                    const o = getComputedStyle(p).overflowX;
                    if ((o === 'auto' || o === 'scroll' || o === 'hidden') && p.getBoundingClientRect().right <= w + 1) { inScroller = true; break; }
                  }
                  if (!inScroller) out.push(`${e.tagName.toLowerCase()}.${[...e.classList].join('.')} right=${Math.round(r.right)}`);
                }
              }
              return out.length ? out.slice(0, 8) : [`document ${document.documentElement.scrollWidth}px`];
            }
            """);
        Assert.True(offenders.Length == 0, $"{screenshot}: the page scrolls sideways in a {width}px window: {string.Join("; ", offenders)}");
    }

    private static async Task NextAsync(IPage page) =>
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Next" }).ClickAsync();
}
