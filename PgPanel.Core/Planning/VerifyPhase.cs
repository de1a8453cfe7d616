using PgPanel.Core.Records;
using PgPanel.Core.Security;
using PgPanel.Core.Specs;
using static PgPanel.Core.Security.ShellQuote;

namespace PgPanel.Core.Planning;

/// <summary>
/// Phase 5, verification and synchronous mode, after every standby has started: the primary's WAL sender streams to
/// each standby (<c>verify-sender-*</c>), each standby is in recovery with a streaming WAL receiver
/// (<c>verify-receiver-*</c>), synchronous_standby_names is set or reset (<c>synchronous-standby-names</c>), and a
/// canary row written on the primary is read on each standby (<c>verify-canary-*</c>). Per-version differences:
/// pg_stat_wal_receiver from 9.6 (the process list on 9.5), <c>FIRST 1 (…)</c> from 9.6, and the WAL functions'
/// names (<c>*_wal_*</c>/<c>*_lsn</c> from 10, <c>*_xlog_*</c>/<c>*_location</c> before).
/// </summary>
internal static class VerifyPhase
{
    /// <summary>On the primary: a WAL sender streams to the standby (the seed's select * from pg_stat_replication).</summary>
    internal static PlanStep VerifySender(ClusterSpec spec, PlanNode primary, PlanNode standby)
    {
        var name = ConfigRenderer.StandbyName(spec, standby.Id);
        return new PlanStep
        {
            Id = $"verify-sender-{standby.Id}",
            Title = $"Verify: the primary streams WAL to {standby.Id} (pg_stat_replication)",
            Node = primary.Id,
            Kind = StepKind.Verify,
            Awaits = [$"start-{standby.Id}"],
            Apply =
            [
                new PlanCommand(primary.Id,
                    $$"""
                    state=""
                    for i in $(seq 1 {{PlanDefaults.VerifyTimeoutSeconds * 10}}); do
                      state=$({{primary.Layout.Psql()}} -At -c {{Quote($"SELECT state FROM pg_stat_replication WHERE application_name = {SqlQuote.Literal(name)}")}} | head -n 1)
                      if [ "$state" = streaming ]; then break; fi
                      sleep 0.1
                    done
                    if [ "$state" != streaming ]; then echo "The primary shows no WAL sender streaming to {{name}} (state: ${state:-none})." >&2; exit 3; fi
                    echo "primary: WAL sender for {{name}} is streaming."
                    """, primary.Layout.OsUser),
            ],
        };
    }

    /// <summary>On the standby: in recovery with a streaming WAL receiver (the seed's ps aux | grep receiver on 9.5).</summary>
    internal static PlanStep VerifyReceiver(ClusterSpec spec, PlanNode standby)
    {
        var l = standby.Layout;
        var receiver = spec.PostgresVersion >= PgVersion.V9_6
            ? $"{l.Psql()} -At -c \"SELECT status FROM pg_stat_wal_receiver\""
            : $"ps -o args= -u \"$(id -u)\" | grep -q '[w]al receiver process' && echo streaming";
        return new PlanStep
        {
            Id = $"verify-receiver-{standby.Id}",
            Title = $"Verify: {standby.Id} is in recovery with a streaming WAL receiver",
            Node = standby.Id,
            Kind = StepKind.Verify,
            Apply =
            [
                new PlanCommand(standby.Id,
                    $$"""
                    recovery=$({{l.Psql()}} -At -c 'SELECT pg_is_in_recovery()')
                    if [ "$recovery" != t ]; then echo "{{standby.Id}} is not in recovery: it is not a standby." >&2; exit 3; fi
                    status=""
                    for i in $(seq 1 {{PlanDefaults.VerifyTimeoutSeconds * 10}}); do
                      status=$({{receiver}} || true)
                      if [ "$status" = streaming ]; then break; fi
                      sleep 0.1
                    done
                    if [ "$status" != streaming ]; then echo "{{standby.Id}} has no streaming WAL receiver (status: ${status:-none})." >&2; exit 3; fi
                    echo "{{standby.Id}}: in recovery, WAL receiver streaming."
                    """, l.OsUser),
            ],
        };
    }

    internal static PlanStep SynchronousStandbyNames(ClusterSpec spec, PlanNode primary, IReadOnlyList<PlanNode> standbys)
    {
        var l = primary.Layout;
        var names = standbys.Select(s => "\"" + ConfigRenderer.StandbyName(spec, s.Id) + "\"").ToList();
        var value = !spec.Replication.Synchronous
            ? ""
            : spec.PostgresVersion >= PgVersion.V9_6 ? $"FIRST 1 ({string.Join(", ", names)})" : string.Join(", ", names);
        var apply = value.Length == 0
            ? "ALTER SYSTEM RESET synchronous_standby_names"
            : $"ALTER SYSTEM SET synchronous_standby_names = {SqlQuote.Literal(value)}";
        return new PlanStep
        {
            Id = "synchronous-standby-names",
            Title = spec.Replication.Synchronous
                ? $"Make the standby synchronous: synchronous_standby_names = '{value}'"
                : "Keep replication asynchronous: synchronous_standby_names is empty",
            Node = primary.Id,
            Description = "Set only once the standby streams, so the primary never waits for a standby that does not exist yet.",
            Check = new PlanCommand(primary.Id, $"test \"$({l.Psql()} -At -c 'SHOW synchronous_standby_names')\" = {Quote(value)}", l.OsUser),
            Apply = [new PlanCommand(primary.Id, $"{l.Psql()} -c {Quote(apply)} -c 'SELECT pg_reload_conf()' >/dev/null\nsleep 0.2", l.OsUser)],
        };
    }

    internal static PlanStep Canary(ClusterSpec spec, PlanNode primary, PlanNode standby)
    {
        var name = ConfigRenderer.StandbyName(spec, standby.Id);
        var v = spec.PostgresVersion;
        var (currentLsn, diff, replayColumn) = v >= PgVersion.Of(10)
            ? ("pg_current_wal_lsn()", "pg_wal_lsn_diff", "replay_lsn")
            : ("pg_current_xlog_location()", "pg_xlog_location_diff", "replay_location");
        var write =
            $"""
            SET client_min_messages = warning;
            CREATE SCHEMA IF NOT EXISTS pgpanel;
            CREATE TABLE IF NOT EXISTS pgpanel.canary (id int PRIMARY KEY, token text NOT NULL, written_at timestamptz NOT NULL DEFAULT now());
            INSERT INTO pgpanel.canary (id, token) VALUES (1, md5(random()::text || clock_timestamp()::text))
              ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token, written_at = now() RETURNING token || ' ' || {currentLsn};
            """;
        var replayed = $"SELECT {diff}({replayColumn}, :'lsn') >= 0 FROM pg_stat_replication WHERE application_name = {SqlQuote.Literal(name)}";
        var pl = primary.Layout;
        var sl = standby.Layout;
        return new PlanStep
        {
            Id = $"verify-canary-{standby.Id}",
            Title = $"Verify: a canary row written on the primary is read on {standby.Id}",
            Node = standby.Id,
            Kind = StepKind.Verify,
            Description = $"The primary writes a new token and waits until {standby.Id} reports it replayed; {standby.Id} reads the token.",
            Awaits = [$"verify-sender-{standby.Id}"],
            Apply =
            [
                new PlanCommand(primary.Id,
                    $$"""
                    written=$({{pl.Psql()}} -At <<'PGPANEL_SQL' | tail -n 1
                    {{write}}
                    PGPANEL_SQL
                    )
                    token=${written%% *}
                    lsn=${written#* }
                    for i in $(seq 1 {{PlanDefaults.VerifyTimeoutSeconds * 20}}); do
                      if [ "$({{pl.Psql()}} -At -v lsn="$lsn" <<'PGPANEL_SQL'
                    {{replayed}}
                    PGPANEL_SQL
                    )" = t ]; then
                        echo "{{name}} replayed the canary write (WAL position $lsn)."
                        echo "$token"
                        exit 0
                      fi
                      sleep 0.05
                    done
                    echo "{{name}} did not replay the canary write at $lsn within {{PlanDefaults.VerifyTimeoutSeconds}} s." >&2
                    exit 3
                    """, pl.OsUser, PlanDefaults.CanaryVariable),
                new PlanCommand(standby.Id,
                    $$"""
                    # The token the primary wrote, when this host ran that part too; an exported script run on the standby's own
                    # host reads whatever token arrived (the primary's part has already seen it replayed).
                    want="${{{PlanDefaults.CanaryVariable}}:-}"
                    for i in $(seq 1 {{PlanDefaults.VerifyTimeoutSeconds * 20}}); do
                      seen=$({{sl.Psql()}} -At -c 'SELECT token FROM pgpanel.canary WHERE id = 1' 2>/dev/null || true)
                      if [ -n "$seen" ] && { [ -z "$want" ] || [ "$seen" = "$want" ]; }; then echo "{{standby.Id}} reads canary $seen written on the primary."; exit 0; fi
                      sleep 0.05
                    done
                    echo "{{standby.Id}} did not receive the canary row within {{PlanDefaults.VerifyTimeoutSeconds}} s (it reads '${seen:-nothing}')." >&2
                    exit 3
                    """, sl.OsUser),
            ],
        };
    }
}
