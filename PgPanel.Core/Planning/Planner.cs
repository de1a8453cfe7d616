using System.Globalization;
using PgPanel.Core.Hosts;
using PgPanel.Core.Monitoring;
using PgPanel.Core.Security;
using PgPanel.Core.Specs;
using static PgPanel.Core.Security.ShellQuote;

namespace PgPanel.Core.Planning;

/// <summary>
/// Turns a spec and facts about the hosts into an ordered list of idempotent steps. Pure: no I/O, same input, same plan.
/// Every PostgreSQL-version and OS difference is decided here (and in <see cref="PostgresLayout"/> and
/// <see cref="ConfigRenderer"/>).
/// </summary>
public static class Planner
{
    public const string PrimaryId = "primary";
    private const string Secret = PlanDefaults.ReplicationPasswordSecret;

    /// <summary>Node ids in plan order: "primary", "standby1", "standby2", …</summary>
    public static IReadOnlyList<string> NodeIds(ClusterSpec spec) =>
        [PrimaryId, .. spec.Standbys.Select((_, i) => $"standby{i + 1}")];

    public static NodeSpec NodeSpecOf(ClusterSpec spec, string nodeId) =>
        nodeId == PrimaryId ? spec.Primary : spec.Standbys[int.Parse(nodeId["standby".Length..], CultureInfo.InvariantCulture) - 1];

    public static Plan Create(PlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var spec = request.Spec;
        var validation = SpecValidator.Validate(spec);
        if (!validation.IsValid)
        {
            throw new ArgumentException($"The spec is not valid: {validation}", nameof(request));
        }

        var nodes = NodeIds(spec).Select(id => ResolveNode(request, id)).ToList();
        var primary = nodes[0];
        var standbys = nodes.Skip(1).ToList();
        var steps = new List<PlanStep>();
        var hostGroups = nodes.GroupBy(HostKey).ToList();

        // 1. Pre-flight: nothing is changed before every node passes.
        foreach (var group in hostGroups)
        {
            var first = group.First();
            var facts = request.Facts[first.Id];
            if (!facts.PostgresBinDirectories.ContainsKey(spec.PostgresVersion) && !facts.CanBecomeRoot)
            {
                steps.Add(BinariesPresent(first, facts, spec.PostgresVersion));
            }
        }

        foreach (var node in nodes)
        {
            steps.Add(DataDirectoryUsable(spec, node));
            steps.Add(PortAvailable(node));
            steps.Add(DiskSpace(node));
        }

        // 2. Install PostgreSQL where it is missing and the panel may.
        foreach (var group in hostGroups)
        {
            var first = group.First();
            var facts = request.Facts[first.Id];
            if (!facts.PostgresBinDirectories.ContainsKey(spec.PostgresVersion) && facts.CanBecomeRoot)
            {
                steps.Add(Install(first, facts, spec.PostgresVersion, group.Select(n => n.Id)));
            }
        }

        // 3. The primary.
        var panelAddresses = request.Facts.Values.Select(f => f.PanelAddress).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var hba = ConfigRenderer.Hba(spec, nodes, panelAddresses);
        steps.AddRange(PrimarySteps(spec, primary, standbys, hba, request.Facts[primary.Id]));

        // 4. Each standby: proven access, clone beside the data directory, configure, swap in, start.
        foreach (var standby in standbys)
        {
            steps.AddRange(StandbySteps(spec, primary, standby, hba, request.Facts[standby.Id]));
        }

        // 5. Verification and synchronous mode.
        steps.Add(VerifyStreaming(spec, primary, standbys));
        steps.Add(SynchronousStandbyNames(spec, primary, standbys));
        foreach (var standby in standbys)
        {
            steps.Add(Canary(spec, primary, standby));
        }

        return new Plan
        {
            ClusterName = spec.Name,
            PostgresVersion = spec.PostgresVersion,
            Nodes = nodes,
            Steps = steps,
            Secrets = new Dictionary<string, string>
            {
                [Secret] = $"password of the replication role {spec.Replication.User}",
                [PlanDefaults.MonitorPasswordSecret] = $"password of the monitoring role {PlanDefaults.MonitorRole}",
            },
        };
    }

    private static PlanNode ResolveNode(PlanRequest request, string id)
    {
        var spec = request.Spec;
        var node = NodeSpecOf(spec, id);
        if (!request.Facts.TryGetValue(id, out var facts))
        {
            throw new ArgumentException($"No host facts for node {id}.", nameof(request));
        }

        var local = (node.Connection ?? ConnectionSpec.Local).Kind == ConnectionKind.Local;
        var layout = PostgresLayout.For(local, facts, spec.PostgresVersion, node.Port, node.DataDirectory, spec.Name, id, request.LocalRoot);
        return new PlanNode(id, id == PrimaryId ? NodeRole.Primary : NodeRole.Standby, node.Host, node.Port, local ? ConnectionKind.Local : ConnectionKind.Ssh, layout, node.PrivateAddress);
    }

    private static string HostKey(PlanNode node) => node.Connection == ConnectionKind.Local ? "local" : $"ssh:{node.Host}";

    private static string? Root(PlanNode node) => node.Layout.OsUser is null ? null : "root";

    // ---------------------------------------------------------------- pre-flight

    private static PlanStep BinariesPresent(PlanNode node, HostFacts facts, PgVersion version)
    {
        var bin = node.Layout.BinDirectory;
        var install = facts.Os.Family == OsFamily.Debian
            ? $"apt-get install -y postgresql-{version}"
            : $"install the PGDG repository for EL-{facts.Os.EnterpriseLinuxRelease}, then yum install -y postgresql{version.Compact}-server postgresql{version.Compact}-contrib";
        return new PlanStep
        {
            Id = $"preflight-binaries-{node.Id}",
            Title = $"PostgreSQL {version} is installed on the host of {node.Id}",
            Node = node.Id,
            Kind = StepKind.Preflight,
            Description = "The panel has no root rights here, so it cannot install PostgreSQL itself.",
            Check = new PlanCommand(node.Id,
                $"""
                for program in initdb pg_ctl postgres pg_basebackup psql; do
                  if [ ! -x {Quote(bin)}/"$program" ]; then
                    echo "PostgreSQL {version} is not installed: {bin}/$program is missing. As root run: {install}" >&2
                    exit 3
                  fi
                done
                echo "PostgreSQL {version} binaries found in {bin}."
                """),
        };
    }

    private static PlanStep DataDirectoryUsable(ClusterSpec spec, PlanNode node)
    {
        var l = node.Layout;
        var data = Quote(l.DataDirectory);
        var script =
            $"""
            d={data}
            if [ ! -e "$d" ]; then echo "$d does not exist yet; PgPanel will create it."; exit 0; fi
            if [ ! -d "$d" ]; then echo "Refusing $d: it exists and is not a directory. Nothing was changed." >&2; exit 3; fi
            if [ -z "$(ls -A "$d")" ]; then echo "$d exists and is empty."; exit 0; fi
            if [ -s "$d/PG_VERSION" ] && [ "$(cat "$d/{PlanDefaults.MarkerFile}" 2>/dev/null)" = {Quote(spec.Name)} ]; then
              found=$(cat "$d/PG_VERSION")
              if [ "$found" != {Quote(spec.PostgresVersion.ToString())} ]; then
                echo "Refusing $d: it holds cluster {spec.Name} of PostgreSQL $found, not {spec.PostgresVersion}. Nothing was changed." >&2; exit 3
              fi
              echo "$d already holds PgPanel cluster {spec.Name} (PostgreSQL $found)."; exit 0
            fi
            echo "Refusing $d: it is not empty and does not hold PgPanel cluster {spec.Name}. Nothing was changed; move its contents away or choose another data directory." >&2
            exit 3
            """;
        if (l.Kind == LayoutKind.SelfContained && l.OsUser is not null)
        {
            // The cluster owner must be able to reach the data directory through every parent (a repo under /root is not).
            script =
                $"""
                a={data}
                while [ ! -e "$a" ]; do a=$(dirname "$a"); done
                if ! runuser -u {l.OsUser} -- test -x "$a"; then
                  echo "Refusing {l.DataDirectory}: the {l.OsUser} user cannot reach $a. Give its parent directories o+x, or set PgPanel:DataDirectory (or the node's dataDirectory) to a path {l.OsUser} can reach, such as /var/lib/pgpanel." >&2
                  exit 3
                fi

                """ + script;
        }

        return new PlanStep
        {
            Id = $"preflight-datadir-{node.Id}",
            Title = $"Data directory {l.DataDirectory} is empty or already this cluster",
            Node = node.Id,
            Kind = StepKind.Preflight,
            Description = "PgPanel never deletes or overwrites a data directory it did not make for this cluster.",
            Check = new PlanCommand(node.Id, script, Root(node)),
        };
    }

    private static PlanStep PortAvailable(PlanNode node)
    {
        var l = node.Layout;
        var hosts = new[] { "127.0.0.1", node.ReplicationHost }.Distinct(StringComparer.Ordinal).Where(h => !h.Contains(':'));
        var script =
            $"""
            d={Quote(l.DataDirectory)}
            port={node.Port}
            if [ -f "$d/postmaster.pid" ] && [ "$(sed -n 4p "$d/postmaster.pid" 2>/dev/null)" = "$port" ] && kill -0 "$(head -n 1 "$d/postmaster.pid")" 2>/dev/null; then
              echo "Port $port is served by this cluster's own server."; exit 0
            fi
            for host in {string.Join(' ', hosts.Select(Quote))}; do
              if timeout 3 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null; then
                echo "Refusing port $port: another program already listens on $host:$port. Choose another port or stop that program." >&2; exit 3
              fi
            done
            if [ -S {Quote(l.SocketDirectory)}/.s.PGSQL.$port ] && [ -f {Quote(l.SocketDirectory)}/.s.PGSQL.$port.lock ]; then
              owner=$(head -n 1 {Quote(l.SocketDirectory)}/.s.PGSQL.$port.lock)
              if kill -0 "$owner" 2>/dev/null; then echo "Refusing port $port: another PostgreSQL (pid $owner) holds its socket in {l.SocketDirectory}." >&2; exit 3; fi
            fi
            echo "Port $port is free."
            """;
        return new PlanStep
        {
            Id = $"preflight-port-{node.Id}",
            Title = $"Port {node.Port} is free or already this cluster's",
            Node = node.Id,
            Kind = StepKind.Preflight,
            Check = new PlanCommand(node.Id, script, Root(node)),
        };
    }

    private static PlanStep DiskSpace(PlanNode node)
    {
        var min = PlanDefaults.MinimumFreeBytes / 1024;
        var script =
            $$"""
            p={{Quote(node.Layout.DataDirectory)}}
            while [ ! -e "$p" ]; do p=$(dirname "$p"); done
            free=$(df -Pk "$p" | awk 'NR==2 {print $4}')
            if [ "$free" -lt {{min}} ]; then
              echo "Only $((free / 1024)) MiB free on the file system of $p; at least {{min / 1024}} MiB are needed." >&2; exit 3
            fi
            echo "$((free / 1024)) MiB free on the file system of $p."
            """;
        return new PlanStep
        {
            Id = $"preflight-disk-{node.Id}",
            Title = $"Enough free disk space for {node.Id}",
            Node = node.Id,
            Kind = StepKind.Preflight,
            Check = new PlanCommand(node.Id, script),
        };
    }

    // ---------------------------------------------------------------- install

    private static PlanStep Install(PlanNode node, HostFacts facts, PgVersion version, IEnumerable<string> nodeIds)
    {
        var bin = node.Layout.BinDirectory;
        string script;
        string description;
        if (facts.Os.Family == OsFamily.Debian)
        {
            var fromPgdg = facts.Os.DistributionPostgres != version;
            description = fromPgdg
                ? $"{facts.Os} does not ship PostgreSQL {version}: add the PGDG apt repository, then install postgresql-{version}."
                : $"Install {facts.Os}'s own postgresql-{version} package, without the default 'main' cluster.";
            script =
                $"""
                export DEBIAN_FRONTEND=noninteractive
                if [ ! -f /etc/postgresql-common/createcluster.conf ]; then
                  apt-get update -q
                  apt-get install -y -q postgresql-common
                fi
                # Keep the package from creating and starting a default 'main' cluster on port 5432.
                if ! grep -qE '^[[:space:]]*create_main_cluster[[:space:]]*=[[:space:]]*false' /etc/postgresql-common/createcluster.conf; then
                  pg_conftool /etc/postgresql-common/createcluster.conf set create_main_cluster false
                fi
                {(fromPgdg ? "/usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y\n" : "")}apt-get update -q
                apt-get install -y -q postgresql-{version} postgresql-client-{version}
                """;
        }
        else
        {
            var el = facts.Os.EnterpriseLinuxRelease;
            var yum = el >= 8 ? "dnf" : "yum";
            description = $"Install PostgreSQL {version} from the PGDG repository for EL-{el} (the seed's procedure; no 'yum update' of the whole system).";
            script =
                $"""
                if ! rpm -q pgdg-redhat-repo >/dev/null 2>&1; then
                  {yum} install -y https://download.postgresql.org/pub/repos/yum/reporpms/EL-{el}-x86_64/pgdg-redhat-repo-latest.noarch.rpm
                fi
                {(el >= 8 ? "dnf -qy module disable postgresql\n" : "")}{yum} install -y postgresql{version.Compact}-server postgresql{version.Compact}-contrib
                """;
        }

        return new PlanStep
        {
            Id = $"install-{node.Id}",
            Title = $"Install PostgreSQL {version} on the host of {string.Join(" and ", nodeIds)}",
            Node = node.Id,
            Description = description,
            Check = new PlanCommand(node.Id, $"test -x {Quote(bin + "/pg_ctl")} && test -x {Quote(bin + "/pg_basebackup")} && test -x {Quote(bin + "/psql")}", "root"),
            Apply = [new PlanCommand(node.Id, script, "root")],
        };
    }

    // ---------------------------------------------------------------- primary

    private static IEnumerable<PlanStep> PrimarySteps(ClusterSpec spec, PlanNode primary, IReadOnlyList<PlanNode> standbys, string hba, HostFacts facts)
    {
        var l = primary.Layout;
        var id = primary.Id;
        var user = l.OsUser;
        var restart = $"restart-{id}";
        var reload = $"reload-{id}";

        if (l.Kind == LayoutKind.SelfContained)
        {
            yield return CreateDirectory(primary, l.DataDirectory);
        }

        yield return Initialise(spec, primary);
        yield return new PlanStep
        {
            Id = $"settings-{id}",
            Title = $"Write the primary's settings ({Path.GetFileName(l.SettingsFile)})",
            Node = id,
            Description = "listen_addresses, wal_level, synchronous_commit, max_wal_senders, wal_sender_timeout, max_connections and the rest, rendered whole.",
            Files = [new PlanFile(id, l.SettingsFile, ConfigRenderer.PrimarySettings(spec, primary), "0600", user)],
            Notifies = [restart],
        };
        yield return IncludeSettings(spec, primary, restart);
        yield return Hba(primary, hba, reload);
        yield return Handler(primary, restart, "Restart the primary to apply changed settings", WithLogTail(l, l.RestartCommand), [$"settings-{id}", $"include-{id}"]);
        yield return Handler(primary, reload, "Reload the primary to apply pg_hba.conf", l.ReloadCommand, [$"hba-{id}"]);
        yield return Start(primary);
        yield return ReplicationRole(spec, primary);
        yield return MonitorRole(spec, primary);
        if (spec.Replication.UseSlots)
        {
            foreach (var standby in standbys)
            {
                yield return Slot(spec, primary, standby);
            }
        }
    }

    private static PlanStep CreateDirectory(PlanNode node, string directory)
    {
        var l = node.Layout;
        var parent = l.ParentDirectory;
        var owner = l.OsUser;
        var apply = owner is null
            ? $"mkdir -p -m 0700 {Quote(directory)}"
            : $"""
               if [ ! -d {Quote(parent)} ]; then install -d -o {owner} -g {owner} -m 0750 {Quote(parent)}; fi
               install -d -o {owner} -g {owner} -m 0700 {Quote(directory)}
               """;
        var check = owner is null
            ? $"test -d {Quote(directory)} && test -d {Quote(parent)} -a -w {Quote(parent)}"
            : $"test -d {Quote(directory)} && test \"$(stat -c %U {Quote(directory)})\" = {owner}";
        return new PlanStep
        {
            Id = $"directory-{node.Id}",
            Title = $"Create the data directory {directory}",
            Node = node.Id,
            Description = owner is null ? null : $"Owned by {owner}, mode 0700; its parent must be reachable by {owner}.",
            Check = new PlanCommand(node.Id, check, Root(node)),
            Apply = [new PlanCommand(node.Id,
                apply + (owner is null ? "" : $"\nrunuser -u {owner} -- test -x {Quote(parent)} || {{ echo \"{owner} cannot reach {parent}: give the parent directories o+x or set another data directory.\" >&2; exit 3; }}"),
                Root(node))],
        };
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
            case LayoutKind.RedHatService:
                var setup = v >= PgVersion.Of(10) ? $"postgresql-{v}-setup" : $"postgresql{v.Compact}-setup";
                apply = (l.DataDirectory == $"/var/lib/pgsql/{v}/data" ? "" : SystemdDataDirectoryOverride(l)) +
                        $"PGSETUP_INITDB_OPTIONS={Quote(initdbOptions)} {Quote(l.Bin(setup))} initdb\n" +
                        $"runuser -u postgres -- sh -c {Quote(marker)}";
                runAs = "root";
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

    private static string SystemdDataDirectoryOverride(PostgresLayout l) =>
        $"""
        mkdir -p /etc/systemd/system/{l.ServiceName}.service.d
        printf '[Service]\nEnvironment=PGDATA=%s\n' {Quote(l.DataDirectory)} > /etc/systemd/system/{l.ServiceName}.service.d/pgpanel-datadir.conf
        systemctl daemon-reload

        """;

    private static PlanStep IncludeSettings(ClusterSpec spec, PlanNode node, string restart)
    {
        var l = node.Layout;
        var line = l.Kind == LayoutKind.DebianCluster ? "include_dir = 'conf.d'" : "include_if_exists = 'pgpanel.conf'";
        var conf = Quote(l.MainConfigFile);
        return new PlanStep
        {
            Id = $"include-{node.Id}",
            Title = $"postgresql.conf includes PgPanel's settings ({line})",
            Node = node.Id,
            Description = "The distribution's postgresql.conf stays as it is; one include line at its end brings in PgPanel's file.",
            Check = new PlanCommand(node.Id, $"grep -qxF {Quote(line)} {conf}", l.OsUser),
            Apply = [new PlanCommand(node.Id, $"printf '\\n# Added by PgPanel for cluster %s\\n%s\\n' {Quote(spec.Name)} {Quote(line)} >> {conf}", l.OsUser)],
            Notifies = [restart],
        };
    }

    private static PlanStep Hba(PlanNode node, string hba, string reload) => new()
    {
        Id = $"hba-{node.Id}",
        Title = "Write pg_hba.conf: replication only from the cluster's nodes",
        Node = node.Id,
        Files = [new PlanFile(node.Id, node.Layout.HbaFile, hba, "0640", node.Layout.OsUser)],
        Notifies = [reload],
    };

    private static PlanStep Handler(PlanNode node, string id, string title, string command, IReadOnlyList<string> triggers)
    {
        var l = node.Layout;
        return new PlanStep
        {
            Id = id,
            Title = title,
            Node = node.Id,
            Kind = StepKind.Handler,
            Description = $"Runs only when {string.Join(" or ", triggers)} changed something and the server is running.",
            Check = new PlanCommand(node.Id, $"if {l.StatusCommand}; then exit 1; fi\necho 'The server is not running; the start step applies the configuration.'", ServiceUser(node)),
            Apply = [new PlanCommand(node.Id, command, ServiceUser(node))],
        };
    }

    /// <summary>A start or restart that, when the server does not come up, shows why: the last lines of its log.</summary>
    private static string WithLogTail(PostgresLayout l, string command) =>
        $$"""
        if ! {{command}}; then
          echo "The server did not start; the last lines of {{l.LogFile}}:" >&2
          tail -n 20 {{Quote(l.LogFile)}} >&2 || true
          exit 1
        fi
        """;

    private static string? ServiceUser(PlanNode node) => node.Layout.ServiceNeedsRoot ? "root" : node.Layout.OsUser;

    private static PlanStep Start(PlanNode node)
    {
        var l = node.Layout;
        return new PlanStep
        {
            Id = $"start-{node.Id}",
            Title = $"Start the {node.Role.ToString().ToLowerInvariant()} ({node.Host}:{node.Port})",
            Node = node.Id,
            Check = new PlanCommand(node.Id, $"{l.StatusCommand} || exit 1", ServiceUser(node)),
            Apply = [new PlanCommand(node.Id, WithLogTail(l, l.StartCommand), ServiceUser(node))],
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
            : ReplicationQueries.LegacyMonitorFunctions(spec.PostgresVersion, role);
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

    // ---------------------------------------------------------------- standby

    private static IEnumerable<PlanStep> StandbySteps(ClusterSpec spec, PlanNode primary, PlanNode standby, string hba, HostFacts facts)
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
        };

        if (l.Kind != LayoutKind.RedHatService || l.DataDirectory != $"/var/lib/pgsql/{v}/data")
        {
            var parentStep = CreateDirectory(standby, l.ParentDirectory);
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

        var basebackup = new List<string>
        {
            l.Bin("pg_basebackup"), "-h", primary.ReplicationHost, "-p", primary.Port.ToString(CultureInfo.InvariantCulture),
            "-U", spec.Replication.User, "-D", staging, "-X", "stream", "-c", "fast", "-P", "-w",
        };
        if (spec.Replication.UseSlots && v >= PgVersion.V9_6)
        {
            basebackup.AddRange(["-S", ConfigRenderer.StandbyName(spec, id)]);
        }

        if (spec.Replication.CloneMaxRate is { } rate)
        {
            basebackup.AddRange(["-r", rate]);
        }

        yield return new PlanStep
        {
            Id = $"clone-{id}",
            Title = $"Clone the primary with pg_basebackup into {staging}",
            Node = id,
            Description = "A new empty directory beside the data directory; the data directory itself is only ever replaced by a complete, configured clone.",
            Unless = new PlanCommand(id, $"{isOurStandby} || test -f {Quote(done)}", user),
            Apply = [new PlanCommand(id,
                $"""
                staging={Quote(staging)}
                pidfile="$staging.pid"
                # A pg_basebackup left running by an earlier attempt of this step (its connection dropped) would hold the
                # slot and write into the staging directory: stop that process, ours by the pid we recorded.
                if [ -f "$pidfile" ]; then
                  old=$(cat "$pidfile")
                  if kill -0 "$old" 2>/dev/null && tr '\0' ' ' < "/proc/$old/cmdline" | grep -qF -- "-D $staging "; then
                    echo "Stopping pg_basebackup pid $old left running by an earlier attempt."
                    kill "$old" 2>/dev/null || true
                    for i in $(seq 1 50); do kill -0 "$old" 2>/dev/null || break; sleep 0.2; done
                  fi
                  rm -f "$pidfile"
                fi
                if [ -e "$staging" ]; then
                  aside="$staging.failed-$(date +%Y%m%d%H%M%S)"
                  mv "$staging" "$aside"
                  echo "An unfinished clone from an earlier attempt was moved aside to $aside; remove it when you no longer need it."
                fi
                PGPASSWORD="${Secret}" {Join(basebackup)} &
                echo $! > "$pidfile"
                wait $!
                rm -f "$pidfile"
                touch {Quote(done)}
                """, user)],
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

        if (v >= PgVersion.Of(12))
        {
            AddStandbyFile("standby.signal", "");
        }
        else
        {
            AddStandbyFile("recovery.conf", ConfigRenderer.RecoveryConf(spec, standby, primary));
        }

        var settings = ConfigRenderer.StandbySettings(spec, standby, primary);
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
        yield return IncludeSettings(spec, standby, restart);
        yield return Hba(standby, hba, reload);
        yield return Handler(standby, restart, "Restart the standby to apply changed settings", WithLogTail(l, l.RestartCommand), [$"settings-{id}", $"include-{id}"]);
        yield return Handler(standby, reload, "Reload the standby to apply pg_hba.conf", l.ReloadCommand, [$"hba-{id}"]);
        yield return Start(standby);
    }

    // ---------------------------------------------------------------- verification

    private static PlanStep VerifyStreaming(ClusterSpec spec, PlanNode primary, IReadOnlyList<PlanNode> standbys)
    {
        var names = standbys.Select(s => ConfigRenderer.StandbyName(spec, s.Id)).ToList();
        var primaryCheck =
            $$"""
            for name in {{string.Join(' ', names.Select(Quote))}}; do
              state=""
              for i in $(seq 1 {{PlanDefaults.VerifyTimeoutSeconds * 10}}); do
                state=$({{primary.Layout.Psql()}} -At -c "SELECT state FROM pg_stat_replication WHERE application_name = '$name'" | head -n 1)
                if [ "$state" = streaming ]; then break; fi
                sleep 0.1
              done
              if [ "$state" != streaming ]; then echo "The primary shows no WAL sender streaming to $name (state: ${state:-none})." >&2; exit 3; fi
              echo "primary: WAL sender for $name is streaming."
            done
            """;
        var commands = new List<PlanCommand> { new(primary.Id, primaryCheck, primary.Layout.OsUser) };
        foreach (var standby in standbys)
        {
            var l = standby.Layout;
            var receiver = spec.PostgresVersion >= PgVersion.V9_6
                ? $"{l.Psql()} -At -c \"SELECT status FROM pg_stat_wal_receiver\""
                : $"ps -o args= -u \"$(id -u)\" | grep -q '[w]al receiver process' && echo streaming";
            commands.Add(new PlanCommand(standby.Id,
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
                """, l.OsUser));
        }

        return new PlanStep
        {
            Id = "verify-streaming",
            Title = "Verify: the primary streams to every standby, each standby is in recovery with a WAL receiver",
            Node = primary.Id,
            Kind = StepKind.Verify,
            Apply = commands,
        };
    }

    private static PlanStep SynchronousStandbyNames(ClusterSpec spec, PlanNode primary, IReadOnlyList<PlanNode> standbys)
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

    private static PlanStep Canary(ClusterSpec spec, PlanNode primary, PlanNode standby)
    {
        var write =
            """
            SET client_min_messages = warning;
            CREATE SCHEMA IF NOT EXISTS pgpanel;
            CREATE TABLE IF NOT EXISTS pgpanel.canary (id int PRIMARY KEY, token text NOT NULL, written_at timestamptz NOT NULL DEFAULT now());
            INSERT INTO pgpanel.canary (id, token) VALUES (1, md5(random()::text || clock_timestamp()::text))
              ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token, written_at = now() RETURNING token;
            """;
        var sl = standby.Layout;
        return new PlanStep
        {
            Id = $"verify-canary-{standby.Id}",
            Title = $"Verify: a canary row written on the primary is read on {standby.Id}",
            Node = standby.Id,
            Kind = StepKind.Verify,
            Apply =
            [
                new PlanCommand(primary.Id, $"{primary.Layout.Psql()} -At <<'PGPANEL_SQL' | tail -n 1\n{write}\nPGPANEL_SQL", primary.Layout.OsUser, PlanDefaults.CanaryVariable),
                new PlanCommand(standby.Id,
                    $$"""
                    for i in $(seq 1 {{PlanDefaults.VerifyTimeoutSeconds * 20}}); do
                      seen=$({{sl.Psql()}} -At -c 'SELECT token FROM pgpanel.canary WHERE id = 1' 2>/dev/null || true)
                      if [ "$seen" = "${{PlanDefaults.CanaryVariable}}" ]; then echo "{{standby.Id}} reads canary $seen written on the primary."; exit 0; fi
                      sleep 0.05
                    done
                    echo "{{standby.Id}} did not receive the canary row within {{PlanDefaults.VerifyTimeoutSeconds}} s (it reads '${seen:-nothing}')." >&2
                    exit 3
                    """, sl.OsUser),
            ],
        };
    }
}
