using PgPanel.Testing;

namespace PgPanel.Tests.TestBed;

/// <summary>
/// A <see cref="PanelDirectoryTest"/> in Chromium: the built panel as its own process over the test's directory, in the
/// Development environment (static assets from the build output), and a browser pointed at it.
/// </summary>
public abstract class BrowserPanelTest(string name, IReadOnlyDictionary<string, string>? settings = null) : PanelDirectoryTest(name)
{
    /// <summary>The monitor samples every second, so a dashboard shows a pair's state within moments.</summary>
    protected static readonly IReadOnlyDictionary<string, string> MonitoringEverySecond = new Dictionary<string, string> { ["PgPanel:Monitoring:IntervalSeconds"] = "1" };

    protected PanelProcess Panel { get; private set; } = null!;

    protected BrowserSession Browser { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Panel = await BuiltPanel.StartAsync(DataDirectory, "Development", settings);
        Browser = await BrowserSession.StartAsync($"http://127.0.0.1:{Panel.Port}");
    }

    /// <summary>Runs a walk through the pages; when it fails, the page as it was goes to test-output/screenshots/{screenshot}.png.</summary>
    protected async Task ScreenshotOnFailureAsync(string screenshot, Func<Task> walk)
    {
        try
        {
            await walk();
        }
        catch
        {
            await Browser.ScreenshotAsync(screenshot);
            throw;
        }
    }

    protected override async Task ReleaseAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        if (Panel is not null)
        {
            await Panel.DisposeAsync();
        }
    }
}
