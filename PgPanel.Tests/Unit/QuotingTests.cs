using PgPanel.Core.Security;
using PgPanel.Core.Specs;

namespace PgPanel.Tests.Unit;

public sealed class QuotingTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("/var/lib/pgsql/9.5/data", "/var/lib/pgsql/9.5/data")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("$(id)", "'$(id)'")]
    [InlineData("", "''")]
    [InlineData("a b", "'a b'")]
    public void Shell_words_are_single_quoted_when_needed(string value, string expected) =>
        Assert.Equal(expected, ShellQuote.Quote(value));

    [Fact]
    public void A_nul_cannot_become_a_shell_word() =>
        Assert.Throws<ArgumentException>(() => ShellQuote.Quote("a\0b"));

    [Theory]
    [InlineData("replica", "\"replica\"")]
    [InlineData("we\"ird", "\"we\"\"ird\"")]
    public void Identifiers_are_always_double_quoted(string name, string expected) =>
        Assert.Equal(expected, SqlQuote.Identifier(name));

    [Theory]
    [InlineData("x", "'x'")]
    [InlineData("it's", "'it''s'")]
    [InlineData("a\\b", "E'a\\\\b'")]
    public void Literals_double_quotes_and_escape_backslashes(string value, string expected) =>
        Assert.Equal(expected, SqlQuote.Literal(value));

    [Theory]
    [InlineData("on", "'on'")]
    [InlineData("it's", "'it''s'")]
    [InlineData("C:\\x", "'C:\\\\x'")]
    public void Config_values_are_quoted_for_postgresql_conf(string value, string expected) =>
        Assert.Equal(expected, SqlQuote.ConfigValue(value));

    [Fact]
    public void A_config_value_cannot_span_lines() =>
        Assert.Throws<ArgumentException>(() => SqlQuote.ConfigValue("a\nb"));

    [Fact]
    public void The_redactor_masks_every_secret_value()
    {
        var redactor = new Redactor([new Secret("hunter2-secret"), new Secret("abc")]);
        Assert.Equal("pw=******** and abc", redactor.Redact("pw=hunter2-secret and abc"));
        Assert.Equal("********", new Secret("x").ToString());
    }

    [Theory]
    [InlineData("9.5", 9, 5)]
    [InlineData("9.6.24", 9, 6)]
    [InlineData("15", 15, 0)]
    [InlineData("15.18", 15, 0)]
    [InlineData("18", 18, 0)]
    public void Versions_parse_to_their_major(string text, int major, int minor)
    {
        Assert.True(PgVersion.TryParse(text, out var v));
        Assert.Equal(new PgVersion(major, minor), v);
    }

    [Theory]
    [InlineData("9")]
    [InlineData("x")]
    [InlineData("15;")]
    [InlineData("")]
    public void Bad_versions_do_not_parse(string text) => Assert.False(PgVersion.TryParse(text, out _));

    [Fact]
    public void Generated_passwords_are_long_and_need_no_quoting()
    {
        var password = PasswordGenerator.Generate().Reveal();
        Assert.Equal(32, password.Length);
        Assert.Equal(password, ShellQuote.Quote(password));
        Assert.NotEqual(password, PasswordGenerator.Generate().Reveal());
    }
}
