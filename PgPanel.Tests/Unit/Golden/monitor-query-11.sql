SELECT json_build_object(
  'serverVersion', current_setting('server_version_num')::int,
  'inRecovery', r.rec,
  'now', now(),
  'startedAt', pg_postmaster_start_time(),
  'connections', (SELECT sum(numbackends) FROM pg_catalog.pg_stat_database)::int,
  'transactions', (SELECT sum(xact_commit + xact_rollback) FROM pg_catalog.pg_stat_database)::bigint,
  'timeline', CASE WHEN NOT r.rec THEN ('x' || substr(pg_walfile_name(r.cur), 1, 8))::bit(32)::int END,
  'recoveryConflicts', CASE WHEN r.rec THEN (SELECT sum(confl_tablespace + confl_lock + confl_snapshot + confl_bufferpin + confl_deadlock)
      FROM pg_catalog.pg_stat_database_conflicts)::bigint END,
  'currentLsn', r.cur::text,
  'senders', CASE WHEN NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_get_wal_senders()) THEN '[]'::json ELSE (SELECT coalesce(json_agg(json_build_object(
      'pid', s.pid, 'applicationName', s.application_name, 'clientAddr', host(s.client_addr), 'state', s.state,
      'syncState', s.sync_state, 'sentLsn', s.sent_lsn::text, 'replayLsn', s.replay_lsn::text,
      'sentLagBytes', pg_wal_lsn_diff(r.cur, s.sent_lsn), 'writeLagBytes', pg_wal_lsn_diff(r.cur, s.write_lsn),
      'flushLagBytes', pg_wal_lsn_diff(r.cur, s.flush_lsn), 'replayLagBytes', pg_wal_lsn_diff(r.cur, s.replay_lsn),
      'writeLagSeconds', extract(epoch FROM s.write_lag), 'flushLagSeconds', extract(epoch FROM s.flush_lag), 'replayLagSeconds', extract(epoch FROM s.replay_lag))
      ORDER BY s.application_name), '[]'::json) FROM pg_catalog.pg_stat_replication s) END,
  'slots', (SELECT coalesce(json_agg(json_build_object('name', slot_name, 'active', active,
      'retainedBytes', pg_wal_lsn_diff(r.cur, restart_lsn)) ORDER BY slot_name), '[]'::json)
      FROM pg_catalog.pg_replication_slots WHERE slot_type = 'physical'),
  'receiver', (SELECT row_to_json(w) FROM (SELECT pid, status, received_lsn::text AS "receivedLsn", last_msg_receipt_time AS "lastMessageAt",
  sender_host AS "senderHost", sender_port AS "senderPort", received_tli AS "timeline" FROM pg_catalog.pg_stat_wal_receiver) w),
  'replayPaused', CASE WHEN r.rec THEN pg_is_wal_replay_paused() END,
  'receiveReplayGapBytes', CASE WHEN r.rec THEN greatest(0, pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())) END,
  'replayDelaySeconds', CASE
      WHEN NOT r.rec OR pg_last_wal_receive_lsn() IS NULL THEN NULL
      WHEN pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0
      ELSE greatest(0, extract(epoch FROM now() - pg_last_xact_replay_timestamp())) END
)::text
FROM (SELECT pg_is_in_recovery() AS rec,
             CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END AS cur) r