using Microsoft.Playwright;

namespace PgPanel.Tests.TestBed;

/// <summary>Debian's Chromium driven by Playwright, headless, with screenshots written to test-output/screenshots.</summary>
public sealed class BrowserSession : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private BrowserSession(IPlaywright playwright, IBrowser browser, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
    }

    public IPage Page { get; }

    public static string ScreenshotDirectory
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PgPanel.sln")))
            {
                dir = dir.Parent;
            }

            var path = Path.Combine(dir?.FullName ?? Path.GetTempPath(), "test-output", "screenshots");
            Directory.CreateDirectory(path);
            return path;
        }
    }

    public static async Task<BrowserSession> StartAsync(string baseUrl)
    {
        if (!File.Exists("/usr/bin/chromium"))
        {
            throw new InvalidOperationException("Debian's chromium is not installed (apt-get install chromium); the README's test command installs it.");
        }

        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseUrl, ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        context.SetDefaultTimeout(30_000);
        return new BrowserSession(playwright, browser, await context.NewPageAsync());
    }

    public async Task SignInAsync(string userName, string password)
    {
        await Page.GotoAsync("/");
        await Page.WaitForURLAsync("**/login**");
        await Page.Locator("#userName").FillAsync(userName);
        await Page.Locator("#password").FillAsync(password);
        await Page.Locator("#sign-in").ClickAsync();
        await Page.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal));
        // The menu is folded away on a phone: wait for the page's circuit rather than for a menu entry.
        await Page.Locator("[data-interactive]").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
    }

    /// <summary>Navigates and waits until the page is interactive (the Blazor circuit is up).</summary>
    public async Task GoAsync(string path)
    {
        await Page.GotoAsync(path);
        await Page.Locator("[data-interactive]").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
    }

    public Task ScreenshotAsync(string name) =>
        Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
