using Bunit;
using PgPanel.Web.Components.Pages.Wizard;

namespace PgPanel.Tests.Components;

public sealed class WizardTests : PanelComponentTest
{
    [Fact]
    public void Validation_blocks_next_and_going_back_keeps_the_values()
    {
        var cut = Context.Render<Wizard>();
        cut.WaitForAssertion(() => Assert.True(cut.Instance.Ready));
        cut.WaitForAssertion(() => Assert.Contains(cut.FindAll("button"), b => b.TextContent.Contains("Next", StringComparison.OrdinalIgnoreCase)));

        cut.FindAll("input")[0].Input("Not Valid!");
        Next(cut);
        cut.WaitForAssertion(() => Assert.Contains("Use 1–40 characters", cut.Markup));
        Assert.DoesNotContain("PostgreSQL port", cut.Markup);

        cut.FindAll("input")[0].Input("kept-name");
        Next(cut);
        cut.WaitForAssertion(() => Assert.Contains("PostgreSQL port", cut.Markup));

        // A bad address on the Hosts step blocks Next too.
        InputByLabel(cut, "Address").Input("db1; touch /tmp/x");
        Next(cut);
        cut.WaitForAssertion(() => Assert.Contains("Enter an IPv4/IPv6 address", cut.Markup));
        Assert.DoesNotContain("max_wal_senders", cut.Markup);
        InputByLabel(cut, "Address").Input("127.0.0.1");
        InputByLabel(cut, "PostgreSQL port").Input("6432");

        cut.FindAll("button").First(b => b.TextContent.Contains("Previous", StringComparison.OrdinalIgnoreCase)).Click();
        cut.WaitForAssertion(() => Assert.Equal("kept-name", cut.FindAll("input")[0].GetAttribute("value")));
        Assert.Equal("kept-name", cut.Instance.Model.Name);
        Assert.Equal(6432, cut.Instance.Model.Primary.Port);
    }

    [Fact]
    public void The_ssh_target_asks_for_a_tested_and_trusted_host_key_before_next()
    {
        var cut = Context.Render<Wizard>();
        cut.WaitForAssertion(() => Assert.True(cut.Instance.Ready));
        cut.WaitForAssertion(() => Assert.Contains(cut.FindAll("button"), b => b.TextContent.Contains("Next", StringComparison.OrdinalIgnoreCase)));
        InputByLabel(cut, "Existing servers over SSH").Click();
        cut.WaitForAssertion(() => Assert.Equal(WizardTarget.Ssh, cut.Instance.Model.Target));
        Next(cut);
        cut.WaitForAssertion(() => Assert.Contains("Test connection", cut.Markup));
        Next(cut);
        cut.WaitForAssertion(() => Assert.Contains("Test the connection and confirm the host key", cut.Markup));
    }

    [Fact]
    public void The_package_source_is_offered_for_servers_and_a_mirror_needs_a_valid_url()
    {
        var cut = Context.Render<Wizard>();
        cut.WaitForAssertion(() => Assert.True(cut.Instance.Ready));
        Assert.DoesNotContain("Install PostgreSQL from", cut.Markup);
        InputByLabel(cut, "Existing servers over SSH").Click();
        cut.WaitForAssertion(() => Assert.Equal(WizardTarget.Ssh, cut.Instance.Model.Target));
        foreach (var (node, host) in new[] { (cut.Instance.Model.Primary, "10.0.0.10"), (cut.Instance.Model.Standby, "10.0.0.11") })
        {
            node.Host = host;
            node.PrivateKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nkey\n-----END OPENSSH PRIVATE KEY-----";
            node.TrustedFingerprint = "SHA256:" + new string('A', 43);
        }

        Next(cut);
        cut.WaitForAssertion(() => Assert.Contains("Test connection", cut.Markup));
        Next(cut);
        cut.WaitForAssertion(() => Assert.Contains("Install PostgreSQL from", cut.Markup));
        Assert.Contains("CentOS 7", cut.Markup);

        cut.InvokeAsync(() => cut.Instance.Model.PackageSource = PgPanel.Core.Specs.PackageSourceKind.Mirror);
        cut.Render();
        cut.WaitForAssertion(() => Assert.Contains("PGDG mirror URL", cut.Markup));
        Next(cut);
        cut.WaitForAssertion(() => Assert.Contains("A mirror needs its URL", cut.Markup));

        InputByLabel(cut, "PGDG mirror URL").Input("https://mirror.example.com/pg dg");
        Next(cut);
        cut.WaitForAssertion(() => Assert.Contains("without spaces, quotes", cut.Markup));
        Assert.Equal("https://mirror.example.com/pg dg", cut.Instance.Model.MirrorUrl);
    }

    [Theory]
    [InlineData("70000")]
    [InlineData("0")]
    [InlineData("-5")]
    public void An_out_of_range_port_is_kept_as_typed_and_refused_with_a_field_error(string port)
    {
        var cut = Context.Render<Wizard>();
        cut.WaitForAssertion(() => Assert.True(cut.Instance.Ready));
        cut.WaitForAssertion(() => Assert.Contains(cut.FindAll("button"), b => b.TextContent.Contains("Next", StringComparison.OrdinalIgnoreCase)));
        Next(cut);
        cut.WaitForAssertion(() => Assert.Contains("PostgreSQL port", cut.Markup));
        InputByLabel(cut, "PostgreSQL port").Input(port);
        cut.WaitForAssertion(() => Assert.Equal(int.Parse(port, System.Globalization.CultureInfo.InvariantCulture), cut.Instance.Model.Primary.Port));
        Next(cut);
        cut.WaitForAssertion(() => Assert.Contains("A port is a number from 1 to 65535.", cut.Markup));
        Assert.DoesNotContain("max_wal_senders", cut.Markup);
    }

    /// <summary>The input a label names, as a user finds it: by the label's "for", or the input inside the label.</summary>
    private static AngleSharp.Dom.IElement InputByLabel(IRenderedComponent<Wizard> cut, string text)
    {
        var label = cut.FindAll("label").First(l => l.TextContent.Contains(text, StringComparison.Ordinal));
        return label.GetAttribute("for") is { Length: > 0 } id
            ? cut.Find($"#{id}")
            : label.QuerySelector("input") ?? label.ParentElement!.QuerySelector("input")!;
    }

    private static void Next(IRenderedComponent<Wizard> cut) =>
        cut.FindAll("button").First(b => b.TextContent.Contains("Next", StringComparison.OrdinalIgnoreCase)).Click();
}
