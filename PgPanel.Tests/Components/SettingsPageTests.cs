using Bunit;
using PgPanel.Core.Records;
using PgPanel.Core.Settings;
using PgPanel.Web.Components.Pages.Settings;

namespace PgPanel.Tests.Components;

/// <summary>Settings refuse an out-of-range number with the field's error; nothing is clamped, nothing saved.</summary>
public sealed class SettingsPageTests : PanelComponentTest
{
    [Theory]
    [InlineData("Default primary port", "70000", "A port is a number from 1 to 65535.")]
    [InlineData("Default primary port", "0", "A port is a number from 1 to 65535.")]
    [InlineData("Default standby port", "65536", "A port from 1 to 65535, other than the primary's.")]
    [InlineData("Sample every (seconds)", "0.5", "Sample every 1 to 3600 seconds.")]
    [InlineData("Lag alert at (bytes)", "-5", "Give a number of bytes above 0.")]
    [InlineData("Delay alert at (seconds)", "-1", "Give seconds above 0 and at most a day.")]
    public async Task An_out_of_range_number_is_a_field_error_and_nothing_is_saved(string label, string value, string error)
    {
        await Core<SettingsStore>().LoadAsync();
        var before = Core<SettingsStore>().Current;
        var cut = Context.Render<SettingsPage>();
        AngleSharp.Dom.IElement Input()
        {
            var field = cut.FindAll("label").First(l => l.TextContent.Contains(label, StringComparison.Ordinal));
            return field.GetAttribute("for") is { Length: > 0 } id ? cut.Find($"#{id}") : field.QuerySelector("input") ?? field.ParentElement!.QuerySelector("input")!;
        }

        Input().Input(value);
        cut.Find("[data-testid=save-settings]").Click();
        cut.WaitForAssertion(() => Assert.Contains(error, cut.Markup));
        Assert.Equal(before, Core<SettingsStore>().Current);
        // The field keeps what was typed: no number is silently clamped into range.
        Assert.Equal(value, Input().GetAttribute("value"));
    }

    [Fact]
    public async Task A_failing_webhook_shows_on_the_page_with_its_reason()
    {
        await Core<SettingsStore>().LoadAsync();
        var cut = Context.Render<SettingsPage>();
        Assert.Contains("No alert was sent to a webhook", cut.Find("[data-testid=webhook-last]").TextContent, StringComparison.Ordinal);

        // A real POST to a closed port on loopback: the connection is refused.
        await Core<SettingsStore>().SaveAsync(Core<SettingsStore>().Current with { WebhookUrl = "http://127.0.0.1:9/hook" }, "test");
        await Core<PgPanel.Core.Monitoring.AlertNotifier>().NotifyAsync(
            [new AlertEvent { ClusterName = "alpha", Node = "standby1", Rule = "down", Kind = "raised", Message = "down" }]);
        cut = Context.Render<SettingsPage>();
        var shown = cut.Find("[data-testid=webhook-last]").TextContent;
        Assert.Contains("down raised for alpha/standby1: HttpRequestException", shown, StringComparison.Ordinal);
        Assert.Contains("refused", shown, StringComparison.OrdinalIgnoreCase);
    }
}
