using PgPanel.Core.Monitoring;

namespace PgPanel.Tests.Unit;

public sealed class ServerFiguresTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("0/0", 0)]
    [InlineData("0/3000000", 50331648)]
    [InlineData("16/B374D848", 97500059720)]
    public void An_lsn_is_a_byte_position(string lsn, long bytes) => Assert.Equal(bytes, ServerFigures.Lsn(lsn));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("3000000")]
    [InlineData("/1")]
    [InlineData("G/1")]
    public void Anything_else_is_no_position(string? text) => Assert.Null(ServerFigures.Lsn(text));

    [Fact]
    public void Rates_come_from_the_previous_sample_and_a_restart_gives_no_transaction_rate()
    {
        var started = T0.AddHours(-3);
        var before = ServerFigures.From(new NodeReading { ServerVersion = 150010, StartedAt = started, Transactions = 1000 }, "0/1000000", T0, null, null, null);
        Assert.Null(before.TransactionsPerSecond);
        Assert.Equal("15.10", before.VersionText);

        var now = ServerFigures.From(new NodeReading { ServerVersion = 150010, StartedAt = started, Transactions = 1500 }, "0/1200000", T0.AddSeconds(2), before, "0/1000000", T0);
        Assert.Equal(250, now.TransactionsPerSecond);
        Assert.Equal(1048576, now.WalBytesPerSecond);

        var restarted = ServerFigures.From(new NodeReading { ServerVersion = 90624, StartedAt = T0, Transactions = 10 }, "0/1300000", T0.AddSeconds(4), now, "0/1200000", T0.AddSeconds(2));
        Assert.Null(restarted.TransactionsPerSecond);
        Assert.Equal("9.6.24", restarted.VersionText);
    }
}
