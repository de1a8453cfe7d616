namespace PgPanel.Core.Monitoring;

/// <summary>
/// What a DBA reads at a glance about one server: version, uptime, connections, transactions and WAL per second (from
/// the previous sample), timeline, and on a standby the queries cancelled by recovery conflicts since the stats reset.
/// </summary>
public sealed record ServerFigures
{
    /// <summary><c>server_version_num</c>, e.g. 150010.</summary>
    public int ServerVersion { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>Backends connected to a database (<c>pg_stat_database.numbackends</c>).</summary>
    public int? Connections { get; init; }

    /// <summary>Commits and rollbacks since the stats reset; the rate is what matters.</summary>
    public long? Transactions { get; init; }

    public double? TransactionsPerSecond { get; init; }

    /// <summary>WAL written (primary) or received (standby) per second.</summary>
    public double? WalBytesPerSecond { get; init; }

    public int? Timeline { get; init; }

    /// <summary>Standby: queries cancelled by recovery conflicts (<c>pg_stat_database_conflicts</c>), since the stats reset.</summary>
    public long? RecoveryConflicts { get; init; }

    /// <summary>"15.10", "9.6.24".</summary>
    public string VersionText => ServerVersion >= 100000
        ? $"{ServerVersion / 10000}.{ServerVersion % 10000}"
        : $"{ServerVersion / 10000}.{ServerVersion / 100 % 100}.{ServerVersion % 100}";

    /// <summary>From one reading, with rates against the same server's previous figures and position.</summary>
    public static ServerFigures From(NodeReading reading, string? lsn, DateTimeOffset at, ServerFigures? previous, string? previousLsn, DateTimeOffset? previousAt)
    {
        ArgumentNullException.ThrowIfNull(reading);
        var seconds = previousAt is { } then ? (at - then).TotalSeconds : 0;
        double? Rate(decimal? now, decimal? before) =>
            seconds > 0 && now is { } n && before is { } b && n >= b ? Math.Round((double)(n - b) / seconds, 1) : null;
        return new ServerFigures
        {
            ServerVersion = reading.ServerVersion,
            StartedAt = reading.StartedAt,
            Connections = reading.Connections,
            Transactions = reading.Transactions,
            TransactionsPerSecond = previous?.StartedAt == reading.StartedAt ? Rate(reading.Transactions, previous?.Transactions) : null,
            WalBytesPerSecond = Rate(Lsn(lsn), Lsn(previousLsn)),
            Timeline = reading.Timeline ?? reading.Receiver?.Timeline,
            RecoveryConflicts = reading.RecoveryConflicts,
        };
    }

    /// <summary>"16/B374D848" as a byte position.</summary>
    public static decimal? Lsn(string? text)
    {
        var slash = text?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (text is null || slash < 1)
        {
            return null;
        }

        return ulong.TryParse(text.AsSpan(0, slash), System.Globalization.NumberStyles.HexNumber, null, out var high) &&
               ulong.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.HexNumber, null, out var low)
            ? ((decimal)high * 4294967296m) + low
            : null;
    }
}
