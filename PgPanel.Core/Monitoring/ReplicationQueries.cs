using PgPanel.Core.Specs;

namespace PgPanel.Core.Monitoring;

/// <summary>
/// The one statement the monitor sends to a node per interval, as text for its PostgreSQL version: one round trip
/// returns a JSON document with both ends of replication — senders and slots (primary), WAL receiver, receive/replay
/// gap and guarded replay delay (standby). The WAL sender and receiver processes are the pids of those rows (what
/// <c>pg_stat_activity.backend_type</c> would list): reading pg_stat_activity as well would copy every backend's
/// status on each sample, and a node without WAL senders skips even the one copy pg_stat_replication makes.
/// </summary>
public static class ReplicationQueries
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<PgVersion, string> Cache = new();

    public static string For(PgVersion version) => Cache.GetOrAdd(version, Build);

    private static string Build(PgVersion version)
    {
        var wal = version >= PgVersion.Of(10);
        string Fn(string modern, string legacy) => wal ? modern : legacy;
        var diff = Fn("pg_wal_lsn_diff", "pg_xlog_location_diff");
        var current = Fn("pg_current_wal_lsn()", "pg_current_xlog_location()");
        var receive = Fn("pg_last_wal_receive_lsn()", "pg_last_xlog_receive_location()");
        var replay = Fn("pg_last_wal_replay_lsn()", "pg_last_xlog_replay_location()");
        var paused = Fn("pg_is_wal_replay_paused()", "pg_is_xlog_replay_paused()");
        var walFile = Fn("pg_walfile_name", "pg_xlogfile_name");
        var (sent, write, flush, replayed) = wal
            ? ("sent_lsn", "write_lsn", "flush_lsn", "replay_lsn")
            : ("sent_location", "write_location", "flush_location", "replay_location");
        var statReplication = wal ? "pg_catalog.pg_stat_replication" : "pgpanel.stat_replication()";
        string Lag(string column) => wal ? $"extract(epoch FROM s.{column})" : "NULL";

        var receiverLsn = version >= PgVersion.Of(13) ? "flushed_lsn" : "received_lsn";
        var senderHost = version >= PgVersion.Of(11) ? "sender_host" : "NULL";
        var senderPort = version >= PgVersion.Of(11) ? "sender_port" : "NULL";
        var receiver = version < PgVersion.V9_6
            ? "NULL::json"
            : $"""
              (SELECT row_to_json(w) FROM (SELECT pid, status, {receiverLsn}::text AS "receivedLsn", last_msg_receipt_time AS "lastMessageAt",
                {senderHost} AS "senderHost", {senderPort} AS "senderPort", received_tli AS "timeline" FROM {(wal ? "pg_catalog.pg_stat_wal_receiver" : "pgpanel.stat_wal_receiver()")}) w)
              """;

        return $"""
            SELECT json_build_object(
              'serverVersion', current_setting('server_version_num')::int,
              'inRecovery', r.rec,
              'now', now(),
              'startedAt', pg_postmaster_start_time(),
              'connections', (SELECT sum(numbackends) FROM pg_catalog.pg_stat_database)::int,
              'transactions', (SELECT sum(xact_commit + xact_rollback) FROM pg_catalog.pg_stat_database)::bigint,
              'timeline', CASE WHEN NOT r.rec THEN ('x' || substr({walFile}(r.cur), 1, 8))::bit(32)::int END,
              'recoveryConflicts', CASE WHEN r.rec THEN (SELECT sum(confl_tablespace + confl_lock + confl_snapshot + confl_bufferpin + confl_deadlock)
                  FROM pg_catalog.pg_stat_database_conflicts)::bigint END,
              'currentLsn', r.cur::text,
              'senders', CASE WHEN NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_get_wal_senders()) THEN '[]'::json ELSE (SELECT coalesce(json_agg(json_build_object(
                  'pid', s.pid, 'applicationName', s.application_name, 'clientAddr', host(s.client_addr), 'state', s.state,
                  'syncState', s.sync_state, 'sentLsn', s.{sent}::text, 'replayLsn', s.{replayed}::text,
                  'sentLagBytes', {diff}(r.cur, s.{sent}), 'writeLagBytes', {diff}(r.cur, s.{write}),
                  'flushLagBytes', {diff}(r.cur, s.{flush}), 'replayLagBytes', {diff}(r.cur, s.{replayed}),
                  'writeLagSeconds', {Lag("write_lag")}, 'flushLagSeconds', {Lag("flush_lag")}, 'replayLagSeconds', {Lag("replay_lag")})
                  ORDER BY s.application_name), '[]'::json) FROM {statReplication} s) END,
              'slots', (SELECT coalesce(json_agg(json_build_object('name', slot_name, 'active', active,
                  'retainedBytes', {diff}(r.cur, restart_lsn)) ORDER BY slot_name), '[]'::json)
                  FROM pg_catalog.pg_replication_slots WHERE slot_type = 'physical'),
              'receiver', {receiver},
              'replayPaused', CASE WHEN r.rec THEN {paused} END,
              'receiveReplayGapBytes', CASE WHEN r.rec THEN greatest(0, {diff}({receive}, {replay})) END,
              'replayDelaySeconds', CASE
                  WHEN NOT r.rec OR {receive} IS NULL THEN NULL
                  WHEN {receive} <= {replay} THEN 0
                  ELSE greatest(0, extract(epoch FROM now() - pg_last_xact_replay_timestamp())) END
            )::text
            FROM (SELECT pg_is_in_recovery() AS rec,
                         CASE WHEN pg_is_in_recovery() THEN {receive} ELSE {current} END AS cur) r
            """;
    }
}
