using Microsoft.Playwright;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.E2E;

/// <summary>The first page a newcomer sees, in Chromium at a phone's and a laptop's width: styled in the panel's theme, nothing overflowing.</summary>
[Collection(SerialCollection.Name)]
public sealed class SignInPageTests() : BrowserPanelTest("e2e-signin")
{
    [Theory]
    [InlineData(390, 844)]
    [InlineData(1280, 800)]
    public async Task The_sign_in_page_is_styled_and_fits_the_window(int width, int height)
    {
        var page = Browser.Page;
        await page.SetViewportSizeAsync(width, height);
        await page.GotoAsync("/login");
        await page.Locator("#sign-in").WaitForAsync();
        await Browser.ScreenshotAsync($"sign-in-{width}");

        // Inputs have a visible border and the button the theme's primary colour (not the browser's grey).
        var border = await page.Locator("#userName").EvaluateAsync<string>("e => getComputedStyle(e).borderTopStyle + ' ' + getComputedStyle(e).borderTopWidth");
        Assert.Equal("solid 1px", border);
        var primary = await page.EvaluateAsync<string>("() => getComputedStyle(document.documentElement).getPropertyValue('--mud-palette-primary').trim()");
        Assert.False(string.IsNullOrEmpty(primary), "the theme's variables are not on the page");
        var button = await page.Locator("#sign-in").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");
        var expected = await page.EvaluateAsync<string>("c => { const d = document.createElement('div'); d.style.color = c; document.body.appendChild(d); const v = getComputedStyle(d).color; d.remove(); return v; }", primary);
        Assert.Equal(expected, button);
        var card = await page.Locator(".pgp-card").BoundingBoxAsync();
        Assert.NotNull(card);
        Assert.True(card!.Width <= width, $"the card is {card.Width}px wide in a {width}px window");
        var overflow = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth");
        Assert.False(overflow, $"the page scrolls sideways at {width}px");
    }
}
