using PgPanel.Core.Monitoring;
using PgPanel.Core.Specs;

namespace PgPanel.Tests.Unit;

/// <summary>The monitor's SQL for each version family, as golden text (15 also runs for real in the integration tests).</summary>
public sealed class ReplicationQueriesTests
{
    [Theory]
    [InlineData("9.5")]
    [InlineData("9.6")]
    [InlineData("10")]
    [InlineData("11")]
    [InlineData("13")]
    [InlineData("15")]
    public void The_query_for_each_version_matches_its_golden_text(string version)
    {
        Assert.True(PgVersion.TryParse(version, out var v));
        Golden.Matches($"monitor-query-{version}.sql", ReplicationQueries.For(v));
    }

    [Fact]
    public void Names_follow_the_version_rules()
    {
        var q95 = ReplicationQueries.For(PgVersion.V9_5);
        Assert.Contains("pg_xlog_location_diff(r.cur, s.replay_location)", q95);
        Assert.Contains("pg_current_xlog_location()", q95);
        Assert.Contains("pgpanel.stat_replication()", q95);
        Assert.Contains("'receiver', NULL::json", q95);
        Assert.DoesNotContain("pg_stat_activity", q95);
        Assert.DoesNotContain("write_lag", q95);

        var q96 = ReplicationQueries.For(PgVersion.V9_6);
        Assert.Contains("pgpanel.stat_wal_receiver()", q96);
        Assert.Contains("received_lsn", q96);

        var q10 = ReplicationQueries.For(PgVersion.Of(10));
        Assert.Contains("pg_wal_lsn_diff(r.cur, s.replay_lsn)", q10);
        Assert.Contains("extract(epoch FROM s.replay_lag)", q10);
        Assert.Contains("CASE WHEN NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_get_wal_senders()) THEN '[]'::json", q10);
        Assert.Contains("NULL AS \"senderHost\"", q10);

        Assert.Contains("sender_host AS \"senderHost\"", ReplicationQueries.For(PgVersion.Of(11)));
        Assert.Contains("received_lsn", ReplicationQueries.For(PgVersion.Of(12)));
        Assert.Contains("flushed_lsn", ReplicationQueries.For(PgVersion.Of(13)));
        Assert.Contains("flushed_lsn", ReplicationQueries.For(PgVersion.Of(18)));
    }

    [Fact]
    public void Replay_delay_is_guarded_by_recovery_and_by_receive_equal_replay()
    {
        foreach (var version in PgVersion.Supported)
        {
            var q = ReplicationQueries.For(version);
            Assert.Contains("WHEN NOT r.rec OR", q);
            Assert.Contains(version >= PgVersion.Of(10) ? "WHEN pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0" : "WHEN pg_last_xlog_receive_location() <= pg_last_xlog_replay_location() THEN 0", q);
        }
    }
}
