using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using PgPanel.Core.Persistence;
using PgPanel.Core.Records;

namespace PgPanel.Bench;

/// <summary>
/// B4: the UI in Debian's Chromium (Playwright), against the panel as its own process. (1) The Runs page with 10,000
/// runs seeded into the panel's SQLite: from navigation start until the first page of the table shows rows, and the
/// server's time to first byte of the prerendered page, and (no goal) until the interactive table has loaded; baseline: the login page (server-rendered form) in the same
/// browser, measured the same way. (2) The dashboard of a real local pair at a 1 s monitor interval: each sample's
/// time (data-sample-at, taken before the node queries) against the browser clock when it reaches the DOM; baseline:
/// a fetch round trip from the same page to the panel (/healthz).
/// </summary>
public static class UiLatency
{
    private const string ClusterName = "b4";

    /// <summary>Rows of the interactive (ServerData) table, once it has replaced the prerendered first page.</summary>
    private const string InteractiveRows = "[data-testid=runs-interactive]:not([hidden]) [data-testid=run-link]";

    /// <summary>Records, from navigation start, when each watched selector first exists in the document.</summary>
    private const string FirstSeenScript =
        """
        window.__firstSeen = {};
        const pgpWatched = ['[data-testid=run-link]', '#userName', '[data-interactive]', '[data-testid=runs-interactive]:not([hidden]) [data-testid=run-link]'];
        const pgpCheck = () => {
          for (const s of pgpWatched) {
            if (!(s in window.__firstSeen) && document.querySelector(s)) { window.__firstSeen[s] = performance.now(); }
          }
        };
        new MutationObserver(pgpCheck).observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['hidden'] });
        """;

    /// <summary>Records each new data-sample-at value with the browser's clock when the DOM received it.</summary>
    private const string SampleWatchScript =
        """
        () => {
          window.__samples = [];
          let last = null;
          const check = () => {
            const e = document.querySelector('[data-sample-at]');
            const v = e && e.getAttribute('data-sample-at');
            if (v && v !== last) { last = v; window.__samples.push([Number(v), Date.now()]); }
          };
          check();
          window.__samples.length = 0;
          new MutationObserver(check).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-sample-at'] });
        }
        """;

    public static async Task RunAsync(BenchOptions options, ResultTable table, CancellationToken cancellationToken)
    {
        var root = options.WorkDirectory;
        var panelData = Path.Combine(root, "panel");
        try
        {
            await using (var engine = await InProcessPanel.StartAsync(panelData, cancellationToken))
            {
                var ports = BenchPorts.Take(2);
                await engine.RunJobAsync(InProcessPanel.LocalSpec(ClusterName, ports[0], [ports[1]]), cancellationToken);
                await SeedRunsAsync(engine, options.SeededRuns, cancellationToken);
            }

            var published = await PublishedPanel.PublishAsync(Path.Combine(root, "web"), cancellationToken);
            await using var panel = await PublishedPanel.StartAsync(published, panelData, new Dictionary<string, string> { ["PgPanel:Monitoring:IntervalSeconds"] = "1" }, cancellationToken);
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = "/usr/bin/chromium",
                Headless = true,
                Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            try
            {
                await RunsPageAsync(browser, panel.BaseUrl, options.SeededRuns, table);
                await DashboardAsync(browser, panel.BaseUrl, options.SampleSeconds, table, cancellationToken);
            }
            catch (Exception) when (panel.Log is { Length: > 0 } log)
            {
                Console.Error.WriteLine($"B4 failed; the panel's log ends:\n{log[Math.Max(0, log.Length - 6000)..]}");
                throw;
            }
        }
        finally
        {
            await BenchPostgres.RemoveAsync(root);
        }
    }

    /// <summary>Runs written straight into the job history (as the panel would have recorded them), newest first spread over 30 days.</summary>
    private static async Task SeedRunsAsync(InProcessPanel engine, int count, CancellationToken cancellationToken)
    {
        var contexts = engine.Get<IDbContextFactory<PanelDbContext>>();
        var now = DateTimeOffset.UtcNow;
        var statuses = new[] { JobStatus.Succeeded, JobStatus.Succeeded, JobStatus.Succeeded, JobStatus.Failed, JobStatus.Cancelled, JobStatus.Interrupted };
        const int batch = 2_000;
        for (var start = 0; start < count; start += batch)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            for (var i = start; i < Math.Min(count, start + batch); i++)
            {
                var created = now - TimeSpan.FromMinutes(5 + i * (30.0 * 24 * 60 / count));
                db.Jobs.Add(new Job
                {
                    Id = Guid.NewGuid(),
                    ClusterName = $"seeded-{i % 40}",
                    Status = statuses[i % statuses.Length],
                    SpecJson = "{}",
                    StartedBy = i % 3 == 0 ? "api" : "admin from 127.0.0.1",
                    CreatedAt = created,
                    StartedAt = created.AddSeconds(1),
                    FinishedAt = created.AddSeconds(20 + i % 50),
                    Attempt = 1 + i % 2,
                });
            }

            await db.SaveChangesAsync(cancellationToken);
        }
    }

    private static async Task RunsPageAsync(IBrowser browser, string baseUrl, int seeded, ResultTable table)
    {
        await using var signedIn = await NewContextAsync(browser, baseUrl);
        var page = await signedIn.NewPageAsync();
        await SignInAsync(page);
        await using var anonymous = await NewContextAsync(browser, baseUrl);
        var loginPage = await anonymous.NewPageAsync();

        var runsVisible = new List<double>();
        var runsInteractive = new List<double>();
        var runsFirstByte = new List<double>();
        var loginVisible = new List<double>();
        var loginFirstByte = new List<double>();
        for (var i = 0; i <= 5; i++)
        {
            var (visible, firstByte) = await LoadAsync(page, "/runs", "[data-testid=run-link]");
            var (interactive, _) = await LoadAsync(page, null, InteractiveRows);
            var (baseVisible, baseFirstByte) = await LoadAsync(loginPage, "/login", "#userName");
            if (i == 0)
            {
                continue; // warm-up
            }

            runsVisible.Add(visible);
            runsInteractive.Add(interactive);
            runsFirstByte.Add(firstByte);
            loginVisible.Add(baseVisible);
            loginFirstByte.Add(baseFirstByte);
        }

        var rows = await page.Locator("[data-testid=run-link]").CountAsync();
        var pager = await page.Locator(".mud-table-pagination-caption").Last.InnerTextAsync();
        Console.Error.WriteLine($"B4: Runs page shows {rows} rows, pager '{pager}' ({seeded} seeded); rows visible {string.Join(", ", runsVisible.Select(v => v.ToString("0", CultureInfo.InvariantCulture)))} ms");
        var visibleMedian = Statistics.Median(runsVisible);
        table.Add($"B4 Runs page ({seeded} runs): first page visible", visibleMedian, "ms", Statistics.Median(loginVisible), "≤ 300 ms", visibleMedian <= 300);
        table.Add("B4 Runs page: interactive table loaded", Statistics.Median(runsInteractive), "ms", Statistics.Median(loginVisible), "—", true);
        table.Add("B4 Runs page: server render (first byte)", Statistics.Median(runsFirstByte), "ms", Statistics.Median(loginFirstByte), "—", true);
    }

    /// <summary>
    /// Navigates (unless <paramref name="path"/> is null: the page already loaded); milliseconds from navigation start
    /// until the selector exists, and the document's time to first byte.
    /// </summary>
    private static async Task<(double Visible, double FirstByte)> LoadAsync(IPage page, string? path, string selector)
    {
        if (path is not null)
        {
            await page.GotoAsync(path);
        }

        try
        {
            await page.Locator(selector).First.WaitForAsync();
        }
        catch (TimeoutException)
        {
            var html = await page.ContentAsync();
            Console.Error.WriteLine($"B4: {selector} did not appear on {page.Url}; the page holds:\n{html[..Math.Min(html.Length, 4000)]}");
            throw;
        }
        var json = await page.EvaluateAsync<JsonElement>(
            $$"""
            () => {
              const n = performance.getEntriesByType('navigation')[0];
              return {
                seen: window.__firstSeen[{{JsonSerializer.Serialize(selector)}}] ?? performance.now(), ttfb: n.responseStart - n.requestStart,
                profile: `document ${Math.round(n.responseEnd)} ms, DOMContentLoaded ${Math.round(n.domContentLoadedEventEnd)} ms, load ${Math.round(n.loadEventEnd)} ms, circuit up ${Math.round(window.__firstSeen['[data-interactive]'] ?? -1)} ms`
              };
            }
            """);
        Console.Error.WriteLine($"B4:   {path ?? page.Url}: {json.GetProperty("profile").GetString()}, {selector} {json.GetProperty("seen").GetDouble():0} ms");
        return (json.GetProperty("seen").GetDouble(), json.GetProperty("ttfb").GetDouble());
    }

    private static async Task DashboardAsync(IBrowser browser, string baseUrl, int seconds, ResultTable table, CancellationToken cancellationToken)
    {
        await using var context = await NewContextAsync(browser, baseUrl);
        var page = await context.NewPageAsync();
        await SignInAsync(page);
        await page.GotoAsync($"/clusters/{ClusterName}");
        await page.Locator("[data-interactive]").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
        await page.Locator("[data-sample-at]").First.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
        await page.EvaluateAsync(SampleWatchScript);
        await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken);
        var samples = await page.EvaluateAsync<double[][]>("() => window.__samples");
        var latencies = samples.Select(s => s[1] - s[0]).ToList();

        var roundTrips = await page.EvaluateAsync<double[]>(
            """
            async () => {
              const times = [];
              for (let i = 0; i < 20; i++) {
                const t = performance.now();
                await fetch('/healthz', { cache: 'no-store' });
                times.push(performance.now() - t);
              }
              return times;
            }
            """);
        var state = await page.Locator("[data-testid=topology-standby1]").InnerTextAsync();
        foreach (var reason in await page.Locator(".mud-alert").AllInnerTextsAsync())
        {
            Console.Error.WriteLine($"B4: dashboard shows: {reason.Trim()}");
        }

        Console.Error.WriteLine($"B4: dashboard received {latencies.Count} samples in {seconds} s (1 s interval), standby1 '{state.Trim()}'; latencies {string.Join(", ", latencies.Select(v => v.ToString("0", CultureInfo.InvariantCulture)))} ms");
        if (latencies.Count == 0)
        {
            table.Add("B4 dashboard: sample → DOM p95", double.NaN, "ms", Statistics.Median(roundTrips), "≤ 1 s", false);
            return;
        }

        table.Add("B4 dashboard: sample → DOM p50", Statistics.Median(latencies), "ms", Statistics.Median(roundTrips), "—", true);
        var p95 = Statistics.Percentile(latencies, 0.95);
        table.Add("B4 dashboard: sample → DOM p95", p95, "ms", Statistics.Percentile(roundTrips, 0.95), "≤ 1 s", p95 <= 1000);
    }

    private static async Task<IBrowserContext> NewContextAsync(IBrowser browser, string baseUrl)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseUrl, ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        context.SetDefaultTimeout(30_000);
        await context.AddInitScriptAsync(FirstSeenScript);
        return context;
    }

    private static async Task SignInAsync(IPage page)
    {
        await page.GotoAsync("/login");
        await page.Locator("#userName").FillAsync(PublishedPanel.AdminUser);
        await page.Locator("#password").FillAsync(PublishedPanel.AdminPassword);
        await page.Locator("#sign-in").ClickAsync();
        // The redirect may be a full load or an enhanced navigation (no load event): wait for the URL only, then the page.
        await page.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal), new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit, Timeout = 60_000 });
        await page.GetByText("Dashboard").First.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
    }
}
