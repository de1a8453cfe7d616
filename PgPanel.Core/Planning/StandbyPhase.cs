using PgPanel.Core.Hosts;
using PgPanel.Core.Records;
using PgPanel.Core.Security;
using PgPanel.Core.Specs;
using static PgPanel.Core.Planning.StepPrivileges;
using static PgPanel.Core.Security.ShellQuote;

namespace PgPanel.Core.Planning;

/// <summary>
/// Phase 4, each standby: proof it can open a replication connection (<c>preflight-replication-*</c>), its parent
/// directory, the clone with pg_basebackup into a staging directory beside the data directory (<c>clone-*</c>), the
/// standby configuration written into the clone (<c>standby-config-staging-*</c>), the swap into place
/// (<c>swap-*</c>), SELinux label, systemd drop-in, Debian registration (<c>register-*</c>), the final settings
/// (<c>settings-*</c>), include line, pg_hba.conf, handlers and start. The per-version standby configuration is
/// <see cref="RecoveryFile"/>: <c>recovery.conf</c> on 9.5 … 11 (<see cref="ConfigRenderer.RecoveryConf"/>),
/// <c>standby.signal</c> plus the connection in the settings file from 12 (<see cref="ConfigRenderer.StandbySettings"/>);
/// others: slots from 9.6, the primary-side TCP user timeout from 12.
/// </summary>
internal static class StandbyPhase
{
    private const string Secret = PlanDefaults.ReplicationPasswordSecret;

    /// <summary>One standby's steps in plan order, from the replication-connection check to its start.</summary>
    internal static IEnumerable<PlanStep> Steps(ClusterSpec spec, PlanNode primary, PlanNode standby, string hba, HostFacts facts, HostFacts primaryFacts, PlanOptions keep)
    {
        var l = standby.Layout;
        var id = standby.Id;
        var user = l.OsUser;
        var restart = $"restart-{id}";
        var reload = $"reload-{id}";
        var v = spec.PostgresVersion;
        var isOurStandby =
            $"test -s {Quote(l.DataDirectory + "/PG_VERSION")} && " +
            $"test \"$(cat {Quote(l.DataDirectory + "/" + PlanDefaults.MarkerFile)} 2>/dev/null)\" = {Quote(spec.Name)} && " +
            $"{{ test -f {Quote(l.DataDirectory + "/standby.signal")} || test -f {Quote(l.DataDirectory + "/recovery.conf")}; }}";
        var staging = l.StagingDirectory;
        var done = $"{staging}/.pgpanel-clone-complete";

        yield return new PlanStep
        {
            Id = $"preflight-replication-{id}",
            Title = $"{id} opens a replication connection to the primary as {spec.Replication.User}",
            Node = id,
            Kind = StepKind.Preflight,
            Description = "Proves reachability, pg_hba.conf and the password from the standby's host before any clone starts.",
            Check = new PlanCommand(id,
                $$"""
                if out=$(PGPASSWORD="${{Secret}}" PGCONNECT_TIMEOUT=10 {{Quote(l.Bin("psql"))}} -X -At {{Quote($"host={primary.ReplicationHost} port={primary.Port} user={spec.Replication.User} dbname=replication replication=true")}} -c IDENTIFY_SYSTEM 2>&1); then
                  echo "Replication connection to {{primary.ReplicationHost}}:{{primary.Port}} works (system identifier ${out%%|*})."
                else
                  echo "{{id}} cannot open a replication connection to {{primary.ReplicationHost}}:{{primary.Port}} as {{spec.Replication.User}}: $out" >&2
                  exit 3
                fi
                """, user),
            Secrets = [Secret],
            Awaits = [$"role-{primary.Id}"],
        };

        if (l.Kind != LayoutKind.RedHatService || !l.HasDefaultDataDirectory)
        {
            var parentStep = ServerSteps.CreateDirectory(standby, l.ParentDirectory);
            yield return parentStep with
            {
                Id = $"directory-{id}",
                Title = $"Create the standby's parent directory {l.ParentDirectory}",
                Check = new PlanCommand(id, $"test -d {Quote(l.ParentDirectory)}" + (user is null ? $" -a -w {Quote(l.ParentDirectory)}" : $" && runuser -u {user} -- test -w {Quote(l.ParentDirectory)}"), Root(standby)),
                Apply = [new PlanCommand(id, user is null
                    ? $"mkdir -p {Quote(l.ParentDirectory)}"
                    : $"if [ ! -d {Quote(l.ParentDirectory)} ]; then install -d -o {user} -g {user} -m 0750 {Quote(l.ParentDirectory)}; fi\n" +
                      $"runuser -u {user} -- test -w {Quote(l.ParentDirectory)} || {{ echo \"{user} cannot write {l.ParentDirectory}, where the clone is staged.\" >&2; exit 3; }}",
                    Root(standby))],
            };
        }

        var slot = spec.Replication.UseSlots && v >= PgVersion.V9_6 ? ConfigRenderer.StandbyName(spec, id) : null;
        var replication = $"host={primary.ReplicationHost} port={primary.Port} user={spec.Replication.User} dbname=replication replication=true";
        // Keepalives: a primary that became unreachable (a cut link) ends the clone in about 25 s instead of hours. The
        // primary's side too (its WAL sender would keep the slot until wal_sender_timeout, or, blocked on a full send
        // buffer, longer): keepalives, and from 12 on a TCP user timeout for data the standby never acknowledges.
        var serverSide = "-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3" + (v >= PgVersion.Of(12) ? " -c tcp_user_timeout=20000" : "");
        var source = $"host={primary.ReplicationHost} port={primary.Port} user={spec.Replication.User} connect_timeout=10 " +
                     $"keepalives=1 keepalives_idle=10 keepalives_interval=5 keepalives_count=3 options='{serverSide}'";
        var basebackup = new List<string> { l.Bin("pg_basebackup"), "-d", source, "-D", staging, "-X", "stream", "-c", "fast", "-P", "-w" };
        if (slot is not null)
        {
            basebackup.AddRange(["-S", slot]);
        }

        if (spec.Replication.CloneMaxRate is { } rate)
        {
            basebackup.AddRange(["-r", rate]);
        }

        var psqlReplication = $"PGPASSWORD=\"${Secret}\" PGCONNECT_TIMEOUT=10 {Quote(l.Bin("psql"))} -X -At {Quote(replication)}";
        yield return new PlanStep
        {
            Id = $"clone-{id}",
            Title = $"Clone the primary with pg_basebackup into {staging}",
            Node = id,
            Description = "A new empty directory beside the data directory; the data directory itself is only ever replaced by a complete, configured clone. " +
                          "pg_basebackup runs in a process group of its own that ends — and gives its replication slot back — when it fails, is cancelled, or the panel's connection is gone.",
            Unless = new PlanCommand(id, $"{isOurStandby} || test -f {Quote(done)}", user),
            Apply = [new PlanCommand(id,
                $$"""
                staging={{Quote(staging)}}
                pidfile="$staging.pid"
                slot={{Quote(slot ?? "")}}
                # When the panel is gone, writing to it must not kill this script before it has cleaned up.
                trap '' PIPE
                # A pg_basebackup left running by an earlier attempt (its connection dropped, or the panel was killed) would
                # hold the slot and write into the staging directory: stop its whole process group, ours by the recorded id
                # and the staging directory on its command line.
                if [ -f "$pidfile" ]; then
                  old=$(cat "$pidfile")
                  if [ -n "$(ps -o pid= -g "$old" 2>/dev/null)" ] && ps -o args= -g "$old" | grep -qF -- "-D $staging "; then
                    echo "Stopping pg_basebackup (process group $old) left running by an earlier attempt."
                    kill -TERM -- "-$old" 2>/dev/null || true
                    for i in $(seq 1 50); do [ -n "$(ps -o pid= -g "$old" 2>/dev/null)" ] || break; sleep 0.2; done
                    kill -KILL -- "-$old" 2>/dev/null || true
                  fi
                  rm -f "$pidfile"
                fi
                if [ -e "$staging" ]; then
                  aside="$staging.failed-$(date +%Y%m%d%H%M%S)"
                  mv "$staging" "$aside"
                  echo "An unfinished clone from an earlier attempt was moved aside to $aside."
                fi
                # Failed copies are kept {{keep.FailedCloneKeepHours}} h for a look, at most {{keep.FailedCloneKeepCount}}, then removed: they are partial clones, never a data directory.
                now=$(date +%s)
                n=0
                for old in $(ls -1d "$staging".failed-* 2>/dev/null | grep -E '\.failed-[0-9]{14}$' | sort -r); do
                  n=$((n + 1))
                  age=$(( (now - $(stat -c %Y "$old")) / 3600 ))
                  if [ "$n" -gt {{keep.FailedCloneKeepCount}} ] || [ "$age" -ge {{keep.FailedCloneKeepHours}} ]; then
                    rm -rf -- "$old"
                    echo "Removed $old, a failed clone copy (kept {{keep.FailedCloneKeepHours}} h, {{keep.FailedCloneKeepCount}} at most)."
                  else
                    echo "Kept $old, a failed clone copy: $(du -sh "$old" 2>/dev/null | cut -f1), removed after {{keep.FailedCloneKeepHours}} h."
                  fi
                done
                # The slot this clone streams through: made again when an earlier attempt gave it back.
                if [ -n "$slot" ]; then
                  if out=$({{psqlReplication}} -c "CREATE_REPLICATION_SLOT $slot PHYSICAL RESERVE_WAL" 2>&1); then
                    echo "Created replication slot $slot."
                  elif ! printf '%s' "$out" | grep -q 'already exists'; then
                    echo "Could not make replication slot $slot: $out" >&2; exit 1
                  fi
                fi
                # Output may find the panel gone: a failed write must not end the clean-up (errexit).
                say() { printf '%s\n' "$*" 2>/dev/null || true; }
                release() {
                  kill -TERM -- "-$pgid" 2>/dev/null || true
                  for i in $(seq 1 50); do [ -n "$(ps -o pid= -g "$pgid" 2>/dev/null)" ] || break; sleep 0.2; done
                  kill -KILL -- "-$pgid" 2>/dev/null || true
                  if [ -n "$slot" ]; then
                    for i in $(seq 1 20); do
                      # Given back by this call, or already by the other caller (the watcher and the script both may).
                      if out=$({{psqlReplication}} -c "DROP_REPLICATION_SLOT $slot" 2>&1) || printf '%s' "$out" | grep -q 'does not exist'; then
                        say "Replication slot $slot given back."; break
                      fi
                      sleep 0.5
                    done
                  fi
                  rm -f "$pidfile"
                }
                PGPASSWORD="${{{Secret}}}" setsid {{Join(basebackup)}} &
                pgid=$!
                echo "$pgid" > "$pidfile"
                trap 'release; exit 143' TERM INT HUP
                # When the panel's connection (or the panel, on this machine) is gone, nobody waits for this clone: end it.
                (
                  exec >/dev/null 2>&1
                  while [ -n "$(ps -o pid= -g "$pgid" 2>/dev/null)" ]; do
                    if [ -n "${PGPANEL_SESSION_PID:-}" ] && [ ! -e "/proc/$PGPANEL_SESSION_PID" ]; then
                      release
                      exit 0
                    fi
                    sleep 1
                  done
                ) &
                # The watcher ends by itself within a second of pg_basebackup; it is never killed, so a release it began finishes.
                if wait "$pgid"; then
                  rm -f "$pidfile"
                  touch {{Quote(done)}}
                else
                  rc=$?
                  say "pg_basebackup ended with exit code $rc." >&2
                  release
                  exit "$rc"
                fi
                """, user)],
            OnFailure = slot is null ? [] : [new PlanCommand(primary.Id,
                $$"""
                # The clone failed: the primary must not keep WAL for it. End the WAL sender still using the slot (a cut link
                # leaves one until wal_sender_timeout) and drop the slot; the next attempt of the clone makes it again.
                # A terminated sender blocked on a dead peer ends at its TCP user timeout (20 s, 12+): ask again meanwhile.
                for i in $(seq 1 90); do
                  {{primary.Layout.Psql()}} -At -c {{Quote($"SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = {SqlQuote.Literal(slot)} AND active")}} >/dev/null 2>&1 || true
                  {{primary.Layout.Psql()}} -At -c {{Quote($"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = {SqlQuote.Literal(slot)} AND NOT active")}} >/dev/null 2>&1 || true
                  left=$({{primary.Layout.Psql()}} -At -c {{Quote($"SELECT count(*) FROM pg_replication_slots WHERE slot_name = {SqlQuote.Literal(slot)}")}})
                  if [ "$left" = 0 ]; then echo "Replication slot {{slot}} is gone from the primary: it keeps no WAL for the failed clone."; exit 0; fi
                  sleep 0.5
                done
                echo "Replication slot {{slot}} is still in use on the primary." >&2
                exit 1
                """, primary.Layout.OsUser)],
            Secrets = [Secret],
            ReportsProgress = true,
        };

        var standbyFiles = new List<PlanFile>();
        var finalFiles = new List<PlanFile>();
        void AddStandbyFile(string name, string content)
        {
            standbyFiles.Add(new PlanFile(id, $"{staging}/{name}", content, "0600", user));
            finalFiles.Add(new PlanFile(id, $"{l.DataDirectory}/{name}", content, "0600", user));
        }

        var (recoveryFile, recoveryContent) = RecoveryFile(spec, standby, primary);
        AddStandbyFile(recoveryFile, recoveryContent);

        var settings = ConfigRenderer.StandbySettings(spec, standby, primary, ConfigRenderer.SlotWalBudget(primaryFacts.FileSystemBytes));
        if (l.Kind != LayoutKind.DebianCluster)
        {
            AddStandbyFile("pgpanel.conf", settings);
        }
        else
        {
            // A Debian primary keeps its configuration in /etc, so the clone has none. pg_createcluster adopts a data
            // directory only with these three files in it, and moves them to /etc/postgresql/NN/<cluster>.
            standbyFiles.Add(new PlanFile(id, $"{staging}/postgresql.conf",
                $"# Standby {id} of PgPanel cluster \"{spec.Name}\": settings live in conf.d/pgpanel.conf.\ninclude_dir = 'conf.d'\n", "0644", user));
            standbyFiles.Add(new PlanFile(id, $"{staging}/pg_hba.conf", hba, "0640", user));
            standbyFiles.Add(new PlanFile(id, $"{staging}/pg_ident.conf", "", "0640", user));
        }

        yield return new PlanStep
        {
            Id = $"standby-config-staging-{id}",
            Title = $"Write the standby configuration into the clone ({string.Join(", ", standbyFiles.Select(f => Path.GetFileName(f.Path)))})",
            Node = id,
            Description = "Written before the clone becomes the data directory, so it can never start as a second primary.",
            Unless = new PlanCommand(id, isOurStandby, user),
            Files = standbyFiles,
            Secrets = [Secret],
        };

        yield return new PlanStep
        {
            Id = $"swap-{id}",
            Title = $"Move the configured clone into place as {l.DataDirectory}",
            Node = id,
            Unless = new PlanCommand(id, isOurStandby, user),
            Apply = [new PlanCommand(id,
                $"""
                d={Quote(l.DataDirectory)}
                if [ -e "$d" ] && [ -n "$(ls -A "$d")" ]; then echo "Refusing to replace $d: it is not empty. Nothing was changed." >&2; exit 3; fi
                if [ -d "$d" ]; then rmdir "$d"; fi
                rm -f {Quote(done)}
                mv {Quote(staging)} "$d"
                chmod 0700 "$d"
                echo "$d now holds the standby."
                """, user)],
        };

        if (HostSecurityPhase.NeedsSelinuxRules(standby, facts))
        {
            yield return HostSecurityPhase.SelinuxLabel(standby);
        }

        if (ServerSteps.NeedsUnitDataDirectory(l))
        {
            yield return ServerSteps.UnitDataDirectory(standby);
        }

        if (l.Kind == LayoutKind.DebianCluster)
        {
            yield return new PlanStep
            {
                Id = $"register-{id}",
                Title = $"Register the clone as Debian cluster {v}/{l.ClusterName}",
                Node = id,
                Description = "pg_createcluster adopts the existing data directory and writes /etc/postgresql config for it.",
                Check = new PlanCommand(id, $"test -f {Quote(l.MainConfigFile)}", "root"),
                Apply = [new PlanCommand(id, $"pg_createcluster {v} {Quote(l.ClusterName)} --port {standby.Port} --datadir {Quote(l.DataDirectory)}", "root")],
            };
            finalFiles.Add(new PlanFile(id, l.SettingsFile, settings, "0600", user));
        }

        yield return new PlanStep
        {
            Id = $"settings-{id}",
            Title = $"Write the standby's settings and standby configuration",
            Node = id,
            Description = "hot_standby, max_standby_streaming_delay, wal_receiver_status_interval, hot_standby_feedback, max_connections ≥ the primary's, and the connection to the primary.",
            Files = finalFiles,
            Notifies = [restart],
            Secrets = [Secret],
        };
        yield return ServerSteps.IncludeSettings(spec, standby, restart);
        yield return ServerSteps.Hba(standby, hba, reload);
        yield return ServerSteps.Handler(standby, restart, "Restart the standby to apply changed settings", ServerSteps.WithLogTail(l, l.RestartCommand), [$"settings-{id}", $"include-{id}"]);
        yield return ServerSteps.Handler(standby, reload, "Reload the standby to apply pg_hba.conf", l.ReloadCommand, [$"hba-{id}"]);
        yield return ServerSteps.Start(standby);
    }

    /// <summary>
    /// The file that makes the clone start as a standby, by PostgreSQL version: from 12 on an empty
    /// <c>standby.signal</c> (the connection to the primary is then in the standby's settings file,
    /// <see cref="ConfigRenderer.StandbySettings"/>); on 9.5 … 11 <c>recovery.conf</c> (standby_mode, primary_conninfo and
    /// the slot), rendered by <see cref="ConfigRenderer.RecoveryConf"/>.
    /// </summary>
    private static (string Name, string Content) RecoveryFile(ClusterSpec spec, PlanNode standby, PlanNode primary) =>
        spec.PostgresVersion >= PgVersion.Of(12)
            ? ("standby.signal", "")
            : ("recovery.conf", ConfigRenderer.RecoveryConf(spec, standby, primary));
}
