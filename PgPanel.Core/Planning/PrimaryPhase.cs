using PgPanel.Core.Hosts;
using PgPanel.Core.Security;
using PgPanel.Core.Specs;
using static PgPanel.Core.Planning.StepPrivileges;
using static PgPanel.Core.Security.ShellQuote;

namespace PgPanel.Core.Planning;

/// <summary>
/// Phase 3, the primary: its data directory, initdb (<c>initdb-*</c>: pg_createcluster, postgresql-NN-setup or initdb
/// by layout), SELinux label, settings file (<see cref="ConfigRenderer.PrimarySettings"/>), include line, pg_hba.conf,
/// handlers and start (the shared ones from <see cref="ServerSteps"/>), a replication slot per standby
/// (<c>slot-*</c>), the monitoring role and the replication role; and the drop of a slot whose standby left the spec
/// (<c>drop-slot-*</c>). Per-version differences here: scram-sha-256 from 10 (md5 before), the setup script's name,
/// pg_monitor from 10 (SECURITY DEFINER views before), and the slot's reserve-WAL flag from 9.6.
/// </summary>
internal static class PrimaryPhase
{
    private const string Secret = PlanDefaults.ReplicationPasswordSecret;

    /// <summary>The primary's steps in plan order, from its data directory to the replication role.</summary>
    internal static IEnumerable<PlanStep> Steps(ClusterSpec spec, PlanNode primary, IReadOnlyList<PlanNode> standbys, string hba, HostFacts facts)
    {
        var l = primary.Layout;
        var id = primary.Id;
        var user = l.OsUser;
        var restart = $"restart-{id}";
        var reload = $"reload-{id}";

        if (l.Kind == LayoutKind.SelfContained || (l.Kind == LayoutKind.RedHatService && !l.HasDefaultDataDirectory))
        {
            yield return ServerSteps.CreateDirectory(primary, l.DataDirectory);
        }

        if (ServerSteps.NeedsUnitDataDirectory(l))
        {
            yield return ServerSteps.UnitDataDirectory(primary);
        }

        yield return Initialise(spec, primary);
        if (HostSecurityPhase.NeedsSelinuxRules(primary, facts))
        {
            yield return HostSecurityPhase.SelinuxLabel(primary);
        }

        yield return new PlanStep
        {
            Id = $"settings-{id}",
            Title = $"Write the primary's settings ({Path.GetFileName(l.SettingsFile)})",
            Node = id,
            Description = "listen_addresses, wal_level, synchronous_commit, max_wal_senders, wal_sender_timeout, max_connections and the rest, rendered whole.",
            Files = [new PlanFile(id, l.SettingsFile, ConfigRenderer.PrimarySettings(spec, primary, ConfigRenderer.SlotWalBudget(facts.FileSystemBytes)), "0600", user)],
            Notifies = [restart],
        };
        yield return ServerSteps.IncludeSettings(spec, primary, restart);
        yield return ServerSteps.Hba(primary, hba, reload);
        yield return ServerSteps.Handler(primary, restart, "Restart the primary to apply changed settings", ServerSteps.WithLogTail(l, l.RestartCommand), [$"settings-{id}", $"include-{id}"]);
        yield return ServerSteps.Handler(primary, reload, "Reload the primary to apply pg_hba.conf", l.ReloadCommand, [$"hba-{id}"]);
        yield return ServerSteps.Start(primary);

        // The slots before the replication role: once a standby can open a replication connection, everything it needs
        // on the primary is in place (an exported script run on several hosts at once waits for exactly that).
        if (spec.Replication.UseSlots)
        {
            foreach (var standby in standbys)
            {
                yield return Slot(spec, primary, standby);
            }
        }

        yield return MonitorRole(spec, primary);
        yield return ReplicationRole(spec, primary);
    }

    private static PlanStep Initialise(ClusterSpec spec, PlanNode node)
    {
        var l = node.Layout;
        var v = spec.PostgresVersion;
        var auth = v >= PgVersion.Of(10) ? "scram-sha-256" : "md5";
        var initdbOptions = $"--auth-local=peer --auth-host={auth} --data-checksums --encoding=UTF8";
        var marker = $"echo {Quote(spec.Name)} > {Quote(l.DataDirectory + "/" + PlanDefaults.MarkerFile)}";
        string apply;
        string? runAs = l.OsUser;
        switch (l.Kind)
        {
            case LayoutKind.DebianCluster:
                apply = $"pg_createcluster {v} {Quote(l.ClusterName)} --port {node.Port} --datadir {Quote(l.DataDirectory)} -- {initdbOptions}\n" +
                        (l.OsUser is null ? marker : $"runuser -u {l.OsUser} -- sh -c {Quote(marker)}");
                runAs = Root(node);
                break;
            case LayoutKind.RedHatService when l.UseSystemd:
                // PGDG's way: postgresql-NN-setup reads PGDATA from the unit (and its drop-ins), initdb as postgres,
                // logging to /var/lib/pgsql/NN/initdb.log.
                var setup = v >= PgVersion.Of(10) ? $"postgresql-{v}-setup" : $"postgresql{v.Compact}-setup";
                apply = $"""
                        if ! PGSETUP_INITDB_OPTIONS={Quote(initdbOptions)} {Quote(l.Bin(setup))} initdb; then
                          echo "{setup} initdb failed; /var/lib/pgsql/{v}/initdb.log says:" >&2
                          tail -n 20 /var/lib/pgsql/{v}/initdb.log >&2 || true
                          exit 1
                        fi
                        runuser -u postgres -- sh -c {Quote(marker)}
                        """;
                runAs = "root";
                break;
            case LayoutKind.RedHatService:
                // Without systemd (a container): postgresql-NN-setup needs systemctl, so initdb directly as the owner.
                apply = $"{Quote(l.Bin("initdb"))} -D {Quote(l.DataDirectory)} {initdbOptions}\n{marker}";
                break;
            default:
                // initdb into a directory beside the data directory, marked, then renamed: a cancelled or crashed initdb
                // leaves only that side directory (moved aside next time), never a half-made data directory.
                var staging = $"{l.ParentDirectory}/.{Path.GetFileName(l.DataDirectory)}.pgpanel-initdb";
                apply =
                    $"""
                    d={Quote(l.DataDirectory)}
                    staging={Quote(staging)}
                    if [ -w "$(dirname "$d")" ]; then
                      if [ -e "$staging" ]; then mv "$staging" "$staging.failed-$(date +%Y%m%d%H%M%S)"; fi
                      {Quote(l.Bin("initdb"))} -D "$staging" {initdbOptions}
                      echo {Quote(spec.Name)} > "$staging/{PlanDefaults.MarkerFile}"
                      if [ -d "$d" ]; then rmdir "$d"; fi
                      mv "$staging" "$d"
                    else
                      {Quote(l.Bin("initdb"))} -D "$d" {initdbOptions}
                      {marker}
                    fi
                    """;
                break;
        }

        return new PlanStep
        {
            Id = $"initdb-{node.Id}",
            Title = $"Initialise the primary's data directory {l.DataDirectory}",
            Node = node.Id,
            Description = $"initdb with data checksums (needed by pg_rewind), peer auth locally and {auth} over TCP.",
            Check = new PlanCommand(node.Id, $"test -s {Quote(l.DataDirectory + "/PG_VERSION")} && test -s {Quote(l.DataDirectory + "/" + PlanDefaults.MarkerFile)}", Root(node)),
            Apply = [new PlanCommand(node.Id, apply, runAs)],
        };
    }

    private static PlanStep ReplicationRole(ClusterSpec spec, PlanNode primary)
    {
        var l = primary.Layout;
        var role = spec.Replication.User;
        var encryption = spec.PostgresVersion >= PgVersion.Of(10) ? "scram-sha-256" : "on";
        var exists = $"{l.Psql()} -At -c {Quote($"SELECT rolcanlogin AND rolreplication FROM pg_roles WHERE rolname = {SqlQuote.Literal(role)}")}";
        var check =
            $"""
            state=$({exists})
            if [ "$state" != t ]; then echo "Role {role} is missing or lacks LOGIN REPLICATION."; exit 1; fi
            if ! PGPASSWORD="${Secret}" PGCONNECT_TIMEOUT=10 {Quote(l.Bin("psql"))} -X -At {Quote($"host=127.0.0.1 port={primary.Port} user={role} dbname=replication replication=true")} -c IDENTIFY_SYSTEM >/dev/null 2>&1; then
              echo "Role {role} exists but its password does not open a replication connection."; exit 1
            fi
            echo "Role {role} exists and its password opens a replication connection."
            """;
        var apply = RoleApply(l, exists, role, Secret, encryption, "LOGIN REPLICATION", "", "$verb ROLE … WITH LOGIN REPLICATION PASSWORD ********");
        return new PlanStep
        {
            Id = $"role-{primary.Id}",
            Title = $"Replication role {role} with LOGIN REPLICATION and its password",
            Node = primary.Id,
            Description = $"The password reaches psql through the environment, never the command line; stored as {(encryption == "on" ? "md5" : encryption)}.",
            Check = new PlanCommand(primary.Id, check, l.OsUser),
            Apply = [new PlanCommand(primary.Id, apply, l.OsUser)],
            Secrets = [Secret],
        };
    }

    /// <summary>
    /// CREATE or ALTER a login role; psql reads the password from the environment variable <paramref name="secret"/>
    /// (never a command line) and <paramref name="afterSql"/> runs in the same session.
    /// </summary>
    private static string RoleApply(PostgresLayout l, string exists, string role, string secret, string encryption, string attributes, string afterSql, string done) =>
        $$"""
        if [ "$({{exists}})" = "" ]; then verb=CREATE; else verb=ALTER; fi
        {{l.Psql()}} -v verb="$verb" <<'PGPANEL_SQL'
        \set pgpanel_password `printf '%s' "${{{secret}}}"`
        SET password_encryption = '{{encryption}}';
        :verb ROLE {{SqlQuote.Identifier(role)}} WITH {{attributes}} PASSWORD :'pgpanel_password';
        {{afterSql}}PGPANEL_SQL
        echo "Role {{role}}: {{done}}"
        """;

    private static PlanStep MonitorRole(ClusterSpec spec, PlanNode primary)
    {
        var l = primary.Layout;
        const string role = PlanDefaults.MonitorRole;
        const string secret = PlanDefaults.MonitorPasswordSecret;
        var modern = spec.PostgresVersion >= PgVersion.Of(10);
        var encryption = modern ? "scram-sha-256" : "on";
        var exists = $"{l.Psql()} -At -c {Quote($"SELECT rolcanlogin FROM pg_roles WHERE rolname = {SqlQuote.Literal(role)}")}";
        var grants = modern
            ? $"GRANT pg_monitor TO {SqlQuote.Identifier(role)};"
            : LegacyMonitorFunctions.Create(spec.PostgresVersion, role);
        var granted = modern
            ? $"SELECT pg_has_role({SqlQuote.Literal(role)}, 'pg_monitor', 'member')"
            : $"SELECT has_function_privilege({SqlQuote.Literal(role)}, 'pgpanel.stat_replication()', 'execute')";
        var check =
            $$"""
            if [ "$({{exists}})" != t ]; then echo "Role {{role}} is missing."; exit 1; fi
            if [ "$({{l.Psql()}} -At -c {{Quote(granted)}} 2>/dev/null)" != t ]; then echo "Role {{role}} cannot read the replication views yet."; exit 1; fi
            if ! PGPASSWORD="${{{secret}}}" PGCONNECT_TIMEOUT=10 {{Quote(l.Bin("psql"))}} -X -At {{Quote($"host=127.0.0.1 port={primary.Port} user={role} dbname=postgres")}} -c 'SELECT 1' >/dev/null 2>&1; then
              echo "Role {{role}} exists but its password does not log in."; exit 1
            fi
            echo "Role {{role}} can log in and read the replication views."
            """;
        var apply = RoleApply(l, exists, role, secret, encryption, "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE CONNECTION LIMIT 5", grants + "\n",
            "$verb ROLE … PASSWORD ********, replication views granted");
        return new PlanStep
        {
            Id = $"monitor-role-{primary.Id}",
            Title = $"Monitoring role {role} ({(modern ? "member of pg_monitor" : "SECURITY DEFINER views")})",
            Node = primary.Id,
            Description = "The panel's live pages read pg_stat_replication and pg_stat_wal_receiver as this login; it replicates to the standbys.",
            Check = new PlanCommand(primary.Id, check, l.OsUser),
            Apply = [new PlanCommand(primary.Id, apply, l.OsUser)],
            Secrets = [secret],
        };
    }

    private static PlanStep Slot(ClusterSpec spec, PlanNode primary, PlanNode standby)
    {
        var l = primary.Layout;
        var name = ConfigRenderer.StandbyName(spec, standby.Id);
        var create = spec.PostgresVersion >= PgVersion.V9_6
            ? $"SELECT pg_create_physical_replication_slot({SqlQuote.Literal(name)}, true)"
            : $"SELECT pg_create_physical_replication_slot({SqlQuote.Literal(name)})";
        return new PlanStep
        {
            Id = $"slot-{standby.Id}",
            Title = $"Physical replication slot {name} for {standby.Id}",
            Node = primary.Id,
            Description = "The primary keeps the WAL this standby has not received yet, so it never needs a full rebuild.",
            Check = new PlanCommand(primary.Id,
                $"test \"$({l.Psql()} -At -c {Quote($"SELECT count(*) FROM pg_replication_slots WHERE slot_name = {SqlQuote.Literal(name)}")})\" = 1", l.OsUser),
            Apply = [new PlanCommand(primary.Id, $"{l.Psql()} -At -c {Quote(create)}", l.OsUser)],
        };
    }

    /// <summary>The slot of a standby that left the spec (confirmed by the DBA): dropped, unless a standby still streams through it.</summary>
    internal static PlanStep DropSlot(PlanNode primary, string slot)
    {
        var l = primary.Layout;
        var where = $"FROM pg_replication_slots WHERE slot_name = {SqlQuote.Literal(slot)}";
        return new PlanStep
        {
            Id = $"drop-slot-{slot}",
            Title = $"Drop replication slot {slot}: its standby left the spec",
            Node = primary.Id,
            Description = "Confirmed when the run started. The standby's data directory is left where it is.",
            Check = new PlanCommand(primary.Id, $"test \"$({l.Psql()} -At -c {Quote($"SELECT count(*) {where}")})\" = 0 || exit 1", l.OsUser),
            Apply = [new PlanCommand(primary.Id,
                $"""
                if [ "$({l.Psql()} -At -c {Quote($"SELECT count(*) {where} AND active")})" != 0 ]; then
                  echo "Refusing to drop replication slot {slot}: a standby still streams through it (see pg_stat_replication). Stop that standby first." >&2
                  exit 3
                fi
                {l.Psql()} -At -c {Quote($"SELECT pg_drop_replication_slot(slot_name) {where}")} >/dev/null
                echo "Dropped replication slot {slot}."
                """, l.OsUser)],
        };
    }
}
