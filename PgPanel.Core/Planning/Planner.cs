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
    public static readonly string PrimaryId = NodeId.Primary.ToString();
    private const string Secret = PlanDefaults.ReplicationPasswordSecret;

    /// <summary>Node ids in plan order: "primary", "standby1", "standby2", …</summary>
    public static IReadOnlyList<string> NodeIds(ClusterSpec spec) => [.. NodeId.All(spec).Select(n => n.ToString())];

    public static NodeSpec NodeSpecOf(ClusterSpec spec, string nodeId) => NodeId.Parse(nodeId).In(spec);

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
            if (first.Connection == ConnectionKind.Ssh && !facts.CanBecomeRoot)
            {
                steps.Add(RootAvailable(first, facts, group.Select(n => n.Id)));
            }

            if (!NeedsInstall(facts, spec.PostgresVersion))
            {
                continue;
            }

            steps.Add(facts.CanBecomeRoot && first.Packages.Source != PackageSourceKind.Installed
                ? PackageSourceReachable(first, facts, spec.PostgresVersion)
                : BinariesPresent(first, facts, spec.PostgresVersion));
        }

        long? primaryBytes = request.Facts[primary.Id].DataDirectoryBytes.TryGetValue(primary.Layout.DataDirectory, out var measured) ? measured : null;
        foreach (var node in nodes)
        {
            steps.Add(DataDirectoryUsable(spec, node));
            steps.Add(PortAvailable(node));
            steps.Add(DiskSpace(node, node.Role == NodeRole.Standby ? primaryBytes : null));
            if (NeedsSelinuxRules(node, request.Facts[node.Id]))
            {
                steps.Add(SelinuxToolsPresent(node));
            }
        }

        // 2. Install PostgreSQL where it is missing and the panel may; open the firewall; SELinux rules.
        foreach (var group in hostGroups)
        {
            var first = group.First();
            var facts = request.Facts[first.Id];
            if (NeedsInstall(facts, spec.PostgresVersion) && facts.CanBecomeRoot && first.Packages.Source != PackageSourceKind.Installed)
            {
                steps.Add(Install(first, facts, spec.PostgresVersion, group.Select(n => n.Id)));
            }
        }

        foreach (var node in nodes)
        {
            var facts = request.Facts[node.Id];
            if (facts.FirewalldRunning && facts.CanBecomeRoot && node.Connection == ConnectionKind.Ssh)
            {
                steps.Add(Firewall(node, nodes, facts));
            }

            if (NeedsSelinuxRules(node, facts))
            {
                steps.Add(SelinuxRules(node));
            }
        }

        // 3. The primary.
        var panelAddresses = request.Facts.Values.Select(f => f.PanelAddress).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var hba = ConfigRenderer.Hba(spec, nodes, panelAddresses);
        steps.AddRange(PrimarySteps(spec, primary, standbys, hba, request.Facts[primary.Id]));

        foreach (var slot in request.DropSlots ?? [])
        {
            steps.Add(DropSlot(primary, slot));
        }

        // 4. Each standby: proven access, clone beside the data directory, configure, swap in, start.
        foreach (var standby in standbys)
        {
            steps.AddRange(StandbySteps(spec, primary, standby, hba, request.Facts[standby.Id], request.Facts[primary.Id], request.Options ?? PlanOptions.Default));
        }

        // 5. Verification and synchronous mode.
        foreach (var standby in standbys)
        {
            steps.Add(VerifySender(spec, primary, standby));
            steps.Add(VerifyReceiver(spec, standby));
        }

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
        return new PlanNode(id, id == PrimaryId ? NodeRole.Primary : NodeRole.Standby, node.Host, node.Port, local ? ConnectionKind.Local : ConnectionKind.Ssh, layout, node.PrivateAddress)
        {
            Packages = node.Packages ?? spec.Packages ?? PackageSourceSpec.Default,
        };
    }

    private static string HostKey(PlanNode node) => node.Connection == ConnectionKind.Local ? "local" : $"ssh:{node.Host}";

    private static string? Root(PlanNode node) => node.Layout.OsUser is null ? null : "root";

    // ---------------------------------------------------------------- pre-flight

    private static bool NeedsInstall(HostFacts facts, PgVersion version) => !facts.PostgresBinDirectories.ContainsKey(version);

    /// <summary>
    /// A server reached over SSH is changed as root (packages, system directories, its service): a login that cannot
    /// become root stops the job here, before any host is touched.
    /// </summary>
    private static PlanStep RootAvailable(PlanNode node, HostFacts facts, IEnumerable<string> nodeIds) => new()
    {
        Id = $"preflight-root-{node.Id}",
        Title = $"PgPanel can become root on the host of {string.Join(" and ", nodeIds)}",
        Node = node.Id,
        Kind = StepKind.Preflight,
        Description = "The package, its directories and its service belong to root; PgPanel needs root or sudo there.",
        Check = new PlanCommand(node.Id,
            $"echo {Quote($"{facts.User}@{node.Host} is not root and cannot use sudo (sudo -n failed and no sudo password worked). Log in as root, give the user sudo rights, or set connection.sudoPassword; nothing was changed on any host.")} >&2\nexit 3"),
    };

    private static PlanStep BinariesPresent(PlanNode node, HostFacts facts, PgVersion version)
    {
        var bin = node.Layout.BinDirectory;
        var install = facts.Os.Family == OsFamily.Debian
            ? $"apt-get install -y postgresql-{version}"
            : $"install the PGDG repository for EL-{facts.Os.EnterpriseLinuxRelease}, then {PackageManager(facts.Os)} install -y postgresql{version.Compact}-server postgresql{version.Compact}-contrib";
        var why = node.Packages.Source == PackageSourceKind.Installed
            ? "The package source is \"installed\": PgPanel installs nothing here."
            : "The panel has no root rights here, so it cannot install PostgreSQL itself.";
        return new PlanStep
        {
            Id = $"preflight-binaries-{node.Id}",
            Title = $"PostgreSQL {version} is installed on the host of {node.Id}",
            Node = node.Id,
            Kind = StepKind.Preflight,
            Description = why,
            Check = new PlanCommand(node.Id,
                $"""
                for program in initdb pg_ctl postgres pg_basebackup psql; do
                  if [ ! -x {Quote(bin)}/"$program" ]; then
                    echo "PostgreSQL {version} is not installed: {bin}/$program is missing. {why} As root run: {install}" >&2
                    exit 3
                  fi
                done
                echo "PostgreSQL {version} binaries found in {bin}."
                """),
        };
    }

    /// <summary>yum on EL-7, dnf on EL-8 and later.</summary>
    private static string PackageManager(OsTarget os) => os.EnterpriseLinuxRelease >= 8 ? "dnf" : "yum";

    private const string PgdgYum = "https://download.postgresql.org/pub/repos/yum";

    /// <summary>The PGDG repository of a version for the host's EL release, under a mirror's base URL.</summary>
    private static string PgdgRepository(string baseUrl, PgVersion version, OsTarget os) =>
        $"{baseUrl.TrimEnd('/')}/{version}/redhat/rhel-{os.EnterpriseLinuxRelease}-x86_64";

    private static string PgdgKey(string baseUrl, OsTarget os) =>
        $"{baseUrl.TrimEnd('/')}/keys/PGDG-RPM-GPG-KEY-RHEL{(os.EnterpriseLinuxRelease == 7 ? "7" : "")}";

    /// <summary>The distribution's own repositories under an OS mirror: CentOS vault layout on EL-7, BaseOS/AppStream on EL-8+.</summary>
    private static IReadOnlyList<(string Id, string Url)> OsRepositories(string baseUrl, OsTarget os)
    {
        var b = baseUrl.TrimEnd('/');
        return os.EnterpriseLinuxRelease == 7
            ? [("pgpanel-os-base", $"{b}/os/x86_64"), ("pgpanel-os-updates", $"{b}/updates/x86_64")]
            : [("pgpanel-os-baseos", $"{b}/BaseOS/x86_64/os"), ("pgpanel-os-appstream", $"{b}/AppStream/x86_64/os")];
    }

    /// <summary>What to set when the host cannot reach its repositories, in the host's own terms.</summary>
    private static string PackageSourceAdvice(OsTarget os, PgVersion version)
    {
        var installed = $"or install PostgreSQL {version} yourself and set it to \"installed\".";
        if (os.Id == "centos" && os.MajorVersion == 7)
        {
            return "CentOS 7 reached its end of life on 2024-06-30: mirrorlist.centos.org and its mirrors are gone, and PGDG keeps EL-7 only in its archive. " +
                   "Set the package source to \"mirror\" with packages.osMirrorUrl = a CentOS vault mirror (e.g. https://vault.centos.org/7.9.2009) " +
                   "and packages.mirrorUrl = the PGDG archive (https://yum-archive.postgresql.org), or internal mirrors of both; " + installed;
        }

        var archive = version < PgVersion.Of(13)
            ? $"PostgreSQL {version} is past its end of life and PGDG keeps it only in its archive (packages.mirrorUrl = https://yum-archive.postgresql.org). "
            : "";
        return archive + "Without internet access, set the package source to \"mirror\" (packages.mirrorUrl: the base of a copy of " + PgdgYum +
               "; packages.osMirrorUrl: the distribution's own repositories), " + installed;
    }

    /// <summary>Before anything changes: the host can read the repositories PostgreSQL will be installed from.</summary>
    private static PlanStep PackageSourceReachable(PlanNode node, HostFacts facts, PgVersion version)
    {
        var os = facts.Os;
        string script;
        string title;
        if (os.Family == OsFamily.Debian)
        {
            title = $"The host of {node.Id} can reach its apt sources for PostgreSQL {version}";
            script = node.Packages.Source == PackageSourceKind.Mirror
                ? "echo 'The package source \"mirror\" is for RHEL-family hosts. On Debian and Ubuntu, point the host'\''s own apt sources at your mirror and use \"upstream\", or install PostgreSQL and use \"installed\".' >&2\nexit 3"
                : $$"""
                  if apt-cache show postgresql-{{version}} >/dev/null 2>&1; then echo "apt knows postgresql-{{version}}."; exit 0; fi
                  problems=""
                  for uri in $(apt-get update --print-uris -q 2>/dev/null | grep -oE "'https?://[^']+'" | tr -d "'" | awk -F/ '!seen[$3]++' | head -n 5){{(os.DistributionPostgres == version ? "" : " http://apt.postgresql.org/pub/repos/apt/dists/")}}; do
                    if ! out=$(curl -fsSI --max-time 15 -o /dev/null "$uri" 2>&1); then problems="$problems  $uri: ${out:-no answer}\n"; fi
                  done
                  if [ -n "$problems" ]; then
                    printf 'PostgreSQL {{version}} must be installed, but this host cannot reach its apt sources:\n%b' "$problems" >&2
                    echo {{Quote(PackageSourceAdvice(os, version).Replace("packages.osMirrorUrl", "its apt sources", StringComparison.Ordinal))}} >&2
                    exit 3
                  fi
                  echo "The host's apt sources answer."
                  """;
        }
        else if (node.Packages.Source == PackageSourceKind.Mirror)
        {
            var mirror = node.Packages.MirrorUrl!;
            var urls = new List<string> { PgdgRepository(mirror, version, os) + "/repodata/repomd.xml", PgdgKey(mirror, os) };
            if (node.Packages.OsMirrorUrl is { } osMirror)
            {
                urls.AddRange(OsRepositories(osMirror, os).Select(r => r.Url + "/repodata/repomd.xml"));
            }

            title = $"The host of {node.Id} can read the package mirror for PostgreSQL {version}";
            script =
                $$"""
                problems=""
                for url in {{string.Join(' ', urls.Select(Quote))}}; do
                  if ! out=$(curl -fsS --max-time 15 -o /dev/null "$url" 2>&1); then problems="$problems  $url: ${out:-no answer}\n"; fi
                done
                if [ -n "$problems" ]; then
                  printf 'PostgreSQL {{version}} must be installed from the mirror, but this host cannot read it:\n%b' "$problems" >&2
                  echo "Check packages.mirrorUrl (a copy of {{PgdgYum}}: <version>/redhat/rhel-<N>-x86_64 and keys/ below it) and packages.osMirrorUrl, and that this host can reach them." >&2
                  exit 3
                fi
                echo "The mirror has PostgreSQL {{version}} for EL-{{os.EnterpriseLinuxRelease}} and its signing key."
                """;
        }
        else
        {
            var yum = PackageManager(os);
            var repoRpm = $"{PgdgYum}/reporpms/EL-{os.EnterpriseLinuxRelease}-x86_64/pgdg-redhat-repo-latest.noarch.rpm";
            title = $"The host of {node.Id} can reach the PGDG repository and its own repositories";
            script =
                $$"""
                problems=""
                if ! rpm -q pgdg-redhat-repo >/dev/null 2>&1; then
                  if ! out=$(curl -fsSI --max-time 15 -o /dev/null {{Quote(repoRpm)}} 2>&1); then problems="$problems  PGDG, {{repoRpm}}: ${out:-no answer}\n"; fi
                fi
                if ! out=$(timeout 180 {{yum}} -q --setopt=retries=1 --setopt=timeout=15 makecache 2>&1); then
                  repos=$(printf '%s\n' "$out" | grep -iE 'error|cannot|failed|could not' | head -n 4 | sed 's/^/    /')
                  problems="$problems  the distribution's repositories ({{yum}} makecache):\n$repos\n"
                fi
                if [ -n "$problems" ]; then
                  printf 'PostgreSQL {{version}} must be installed, but this host cannot reach its package repositories:\n%b' "$problems" >&2
                  echo {{Quote(PackageSourceAdvice(os, version))}} >&2
                  exit 3
                fi
                echo "The PGDG repository and the distribution's repositories answer."
                """;
        }

        return new PlanStep
        {
            Id = $"preflight-packages-{node.Id}",
            Title = title,
            Node = node.Id,
            Kind = StepKind.Preflight,
            Description = $"PostgreSQL {version} is not installed there; the package source is \"{node.Packages.Source.ToString().ToLowerInvariant()}\".",
            Check = new PlanCommand(node.Id, script, "root"),
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

    /// <summary>
    /// Free disk before anything is made: 256 MiB for a primary; for a standby the primary's size as measured when the job
    /// planned, plus 10 % or 256 MiB (whichever is more) for the WAL streamed while it clones.
    /// </summary>
    private static PlanStep DiskSpace(PlanNode node, long? primaryBytes)
    {
        var needed = primaryBytes is { } size ? Math.Max(PlanDefaults.MinimumFreeBytes, size + Math.Max(size / 10, PlanDefaults.MinimumFreeBytes)) : PlanDefaults.MinimumFreeBytes;
        var min = needed / 1024;
        var why = primaryBytes is { } p
            ? $"the primary holds {p / (1024 * 1024)} MiB and the clone needs room for the WAL streamed meanwhile"
            : "a new cluster needs room to start";
        var script =
            $$"""
            p={{Quote(node.Layout.DataDirectory)}}
            while [ ! -e "$p" ]; do p=$(dirname "$p"); done
            free=$(df -Pk "$p" | awk 'NR==2 {print $4}')
            if [ "$free" -lt {{min}} ]; then
              echo "Only $((free / 1024)) MiB free on the file system of $p; at least {{min / 1024}} MiB are needed ({{why}})." >&2; exit 3
            fi
            echo "$((free / 1024)) MiB free on the file system of $p; {{min / 1024}} MiB needed ({{why}})."
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
        var files = new List<PlanFile>();
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
        else if (node.Packages.Source == PackageSourceKind.Mirror)
        {
            var yum = PackageManager(facts.Os);
            description = $"Install PostgreSQL {version} from the mirror {node.Packages.MirrorUrl} (signed packages, checked against the mirror's PGDG key), " +
                          "from PgPanel's repository file only: the host's own repository files are left as they are.";
            files.Add(new PlanFile(node.Id, $"/etc/yum.repos.d/pgpanel-pgdg{version.Compact}.repo", RepositoryFile(node.Packages, version, facts.Os), "0644", "root"));
            script =
                $"""
                {yum} -y --disablerepo='*' --enablerepo='pgpanel-*' install postgresql{version.Compact}-server postgresql{version.Compact}-contrib
                """;
        }
        else
        {
            var el = facts.Os.EnterpriseLinuxRelease;
            var yum = PackageManager(facts.Os);
            description = $"Install PostgreSQL {version} from the PGDG repository for EL-{el} (the seed's procedure; no 'yum update' of the whole system).";
            script =
                $"""
                if ! rpm -q pgdg-redhat-repo >/dev/null 2>&1; then
                  {yum} install -y {PgdgYum}/reporpms/EL-{el}-x86_64/pgdg-redhat-repo-latest.noarch.rpm
                fi
                {(el >= 8 ? "# The distribution's own postgresql module would hide PGDG's packages.\nif dnf -q module list postgresql >/dev/null 2>&1; then dnf -qy module disable postgresql; fi\n" : "")}{yum} install -y postgresql{version.Compact}-server postgresql{version.Compact}-contrib
                """;
        }

        return new PlanStep
        {
            Id = $"install-{node.Id}",
            Title = $"Install PostgreSQL {version} on the host of {string.Join(" and ", nodeIds)}",
            Node = node.Id,
            Description = description,
            Files = files,
            Check = new PlanCommand(node.Id, $"test -x {Quote(bin + "/pg_ctl")} && test -x {Quote(bin + "/pg_basebackup")} && test -x {Quote(bin + "/psql")}", "root"),
            Apply = [new PlanCommand(node.Id, PackageLock + script, "root")],
        };
    }

    /// <summary>The yum/dnf repository file for a mirror: PGDG's repository of the version, and the OS mirror when given.</summary>
    private static string RepositoryFile(PackageSourceSpec packages, PgVersion version, OsTarget os)
    {
        var el = os.EnterpriseLinuxRelease;
        var text = new System.Text.StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# PostgreSQL {version} from a mirror, written by PgPanel (packages.mirrorUrl); the install uses only pgpanel-* repositories.\n");
        text.Append(CultureInfo.InvariantCulture, $"[pgpanel-pgdg{version.Compact}]\n");
        text.Append(CultureInfo.InvariantCulture, $"name=PostgreSQL {version} for EL-{el} - x86_64 (mirror)\n");
        text.Append(CultureInfo.InvariantCulture, $"baseurl={PgdgRepository(packages.MirrorUrl!, version, os)}\n");
        text.Append("enabled=1\ngpgcheck=1\n");
        text.Append(CultureInfo.InvariantCulture, $"gpgkey={PgdgKey(packages.MirrorUrl!, os)}\n");
        if (packages.OsMirrorUrl is { } osMirror)
        {
            var key = os.Id switch
            {
                "centos" => $"RPM-GPG-KEY-CentOS-{os.MajorVersion}",
                "rocky" => $"RPM-GPG-KEY-Rocky-{os.MajorVersion}",
                "almalinux" => $"RPM-GPG-KEY-AlmaLinux-{os.MajorVersion}",
                "alinux" => $"RPM-GPG-KEY-ALINUX-{os.MajorVersion}",
                "ol" => "RPM-GPG-KEY-oracle",
                _ => "RPM-GPG-KEY-redhat-release",
            };
            foreach (var (id, url) in OsRepositories(osMirror, os))
            {
                text.Append(CultureInfo.InvariantCulture, $"\n[{id}]\nname={os} {id["pgpanel-os-".Length..]} (mirror)\nbaseurl={url}\nenabled=1\ngpgcheck=1\ngpgkey=file:///etc/pki/rpm-gpg/{key}\n");
            }
        }

        return text.ToString();
    }

    // ---------------------------------------------------------------- firewalld and SELinux

    /// <summary>
    /// firewalld (on by default on CentOS, Rocky and Alma) drops PostgreSQL's port: open it to the cluster's other nodes
    /// and the panel only, one rich rule per address, in the zone of the node's interface, at runtime and permanently.
    /// </summary>
    /// <summary>
    /// Package installs on one host take turns (runs of different clusters may share a host, and apt-get fails at once on
    /// a held lock): the install holds a host-wide lock, waiting up to 15 minutes for another holder.
    /// </summary>
    private const string PackageLock =
        """
        exec 9>/var/tmp/pgpanel-packages.lock
        if ! flock -w 900 9; then echo 'Another run has been installing packages on this host for 15 minutes; try again later.' >&2; exit 1; fi

        """;

    private static PlanStep Firewall(PlanNode node, IReadOnlyList<PlanNode> nodes, HostFacts facts)
    {
        var sources = nodes.Where(n => n.Id != node.Id).Select(n => n.ReplicationHost)
            .Concat(facts.PanelAddress is { } panel ? [panel] : [])
            .Where(a => !(System.Net.IPAddress.TryParse(a, out var ip) && System.Net.IPAddress.IsLoopback(ip)))
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var rules =
            $$"""
            port={{node.Port}}
            iface=$(ip -o addr show to {{Quote(node.ReplicationHost)}} 2>/dev/null | awk '{print $2; exit}' || true)
            zone=""
            if [ -n "$iface" ]; then zone=$(firewall-cmd --get-zone-of-interface="$iface" 2>/dev/null || true); fi
            [ -n "$zone" ] || zone=$(firewall-cmd --get-default-zone)
            rules=()
            for source in {{string.Join(' ', sources.Select(Quote))}}; do
              address=$source
              if ! [[ $source =~ ^[0-9.]+$ || $source == *:* ]]; then address=$(getent ahosts "$source" | awk 'NR == 1 {print $1}'); fi
              if [[ $address == *:* ]]; then family=ipv6; bits=128; else family=ipv4; bits=32; fi
              rules+=("rule family=\"$family\" source address=\"$address/$bits\" port port=\"$port\" protocol=\"tcp\" accept")
            done
            """;
        return new PlanStep
        {
            Id = $"firewall-{node.Id}",
            Title = $"firewalld lets the cluster's nodes and the panel reach {node.Id}'s port {node.Port}",
            Node = node.Id,
            Description = $"One rich rule per address ({string.Join(", ", sources)}), runtime and permanent; nothing else is opened.",
            Check = new PlanCommand(node.Id, rules + "\n" +
                """
                for rule in "${rules[@]}"; do
                  if ! firewall-cmd --zone="$zone" --query-rich-rule="$rule" >/dev/null || ! firewall-cmd --permanent --zone="$zone" --query-rich-rule="$rule" >/dev/null; then
                    echo "Zone $zone lacks: $rule"; exit 1
                  fi
                done
                echo "Zone $zone admits the cluster's nodes and the panel on port $port."
                """, "root"),
            Apply = [new PlanCommand(node.Id, rules + "\n" +
                """
                for rule in "${rules[@]}"; do
                  firewall-cmd --zone="$zone" --query-rich-rule="$rule" >/dev/null || firewall-cmd --zone="$zone" --add-rich-rule="$rule" >/dev/null
                  firewall-cmd --permanent --zone="$zone" --query-rich-rule="$rule" >/dev/null || firewall-cmd --permanent --zone="$zone" --add-rich-rule="$rule" >/dev/null
                  echo "Zone $zone: $rule"
                done
                """, "root")],
        };
    }

    /// <summary>SELinux enforcing labels only PGDG's data directory and port 5432 for PostgreSQL; anything else needs rules.</summary>
    private static bool NeedsSelinuxRules(PlanNode node, HostFacts facts) =>
        facts.SelinuxEnforcing && facts.CanBecomeRoot && node.Layout.Kind == LayoutKind.RedHatService &&
        (!node.Layout.HasDefaultDataDirectory || node.Port != 5432);

    private static PlanStep SelinuxToolsPresent(PlanNode node) => new()
    {
        Id = $"preflight-selinux-{node.Id}",
        Title = $"SELinux: semanage is there to label {node.Id}'s data directory and port",
        Node = node.Id,
        Kind = StepKind.Preflight,
        Description = "SELinux is enforcing and the data directory or port is not PostgreSQL's default, so it needs a label.",
        Check = new PlanCommand(node.Id,
            $"""
            if ! command -v semanage >/dev/null 2>&1 || ! command -v restorecon >/dev/null 2>&1; then
              echo "SELinux is enforcing and {node.Layout.DataDirectory} (port {node.Port}) is not PostgreSQL's default, so it must be labelled, but semanage is missing. Install policycoreutils-python-utils (EL-8+; policycoreutils-python on EL-7), or use {PostgresLayout.DefaultRedHatDataDirectory(node.Layout.Version)} and port 5432." >&2
              exit 3
            fi
            echo "SELinux is enforcing; semanage and restorecon are installed."
            """, "root"),
    };

    private static PlanStep SelinuxRules(PlanNode node)
    {
        var l = node.Layout;
        var regex = $"{l.DataDirectory}(/.*)?";
        var checks = new List<string>();
        var applies = new List<string>();
        if (!l.HasDefaultDataDirectory)
        {
            checks.Add($"semanage fcontext -l -C | grep -qF -- {Quote(regex + " ")} || {{ echo 'No file context rule for {l.DataDirectory} yet.'; exit 1; }}");
            applies.Add($"semanage fcontext -a -t postgresql_db_t {Quote(regex)}");
            applies.Add($"echo 'File context rule: {regex} is postgresql_db_t.'");
        }

        if (node.Port != 5432)
        {
            checks.Add($"semanage port -l | grep -E '^postgresql_port_t[[:space:]]' | grep -qE '[[:space:],]{node.Port}(,|$)' || {{ echo 'Port {node.Port} is not a postgresql_port_t yet.'; exit 1; }}");
            applies.Add($"semanage port -l | grep -E '^postgresql_port_t[[:space:]]' | grep -qE '[[:space:],]{node.Port}(,|$)' || semanage port -a -t postgresql_port_t -p tcp {node.Port}");
            applies.Add($"echo 'Port {node.Port}/tcp is postgresql_port_t.'");
        }

        return new PlanStep
        {
            Id = $"selinux-{node.Id}",
            Title = $"SELinux: {string.Join(" and ", new[] { l.HasDefaultDataDirectory ? null : $"{l.DataDirectory} as postgresql_db_t", node.Port == 5432 ? null : $"port {node.Port} as postgresql_port_t" }.OfType<string>())}",
            Node = node.Id,
            Description = "Rules in the local SELinux policy (semanage), so the labels survive a relabel of the file system.",
            Check = new PlanCommand(node.Id, string.Join('\n', checks), "root"),
            Apply = [new PlanCommand(node.Id, string.Join('\n', applies), "root")],
        };
    }

    /// <summary>The data directory labelled as the policy says (after initdb or the swap of a clone into place).</summary>
    private static PlanStep SelinuxLabel(PlanNode node)
    {
        var data = Quote(node.Layout.DataDirectory);
        return new PlanStep
        {
            Id = $"selinux-label-{node.Id}",
            Title = $"SELinux: label {node.Layout.DataDirectory} (restorecon)",
            Node = node.Id,
            Check = new PlanCommand(node.Id, $"if [ -n \"$(restorecon -R -n -v {data})\" ]; then echo 'Some files are not labelled as the policy says.'; exit 1; fi\necho 'Labelled as the policy says.'", "root"),
            Apply = [new PlanCommand(node.Id, $"restorecon -R {data}\necho 'Relabelled {node.Layout.DataDirectory}.'", "root")],
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

        if (l.Kind == LayoutKind.SelfContained || (l.Kind == LayoutKind.RedHatService && !l.HasDefaultDataDirectory))
        {
            yield return CreateDirectory(primary, l.DataDirectory);
        }

        if (NeedsUnitDataDirectory(l))
        {
            yield return UnitDataDirectory(primary);
        }

        yield return Initialise(spec, primary);
        if (NeedsSelinuxRules(primary, facts))
        {
            yield return SelinuxLabel(primary);
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
        yield return IncludeSettings(spec, primary, restart);
        yield return Hba(primary, hba, reload);
        yield return Handler(primary, restart, "Restart the primary to apply changed settings", WithLogTail(l, l.RestartCommand), [$"settings-{id}", $"include-{id}"]);
        yield return Handler(primary, reload, "Reload the primary to apply pg_hba.conf", l.ReloadCommand, [$"hba-{id}"]);
        yield return Start(primary);

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

    /// <summary>
    /// A PGDG unit whose data directory is not the package's: a drop-in that sets PGDATA (as PGDG's unit file asks, rather
    /// than editing it), then daemon-reload, before postgresql-NN-setup or a start reads it.
    /// </summary>
    private static PlanStep UnitDataDirectory(PlanNode node)
    {
        var l = node.Layout;
        var dropIn = $"/etc/systemd/system/{l.ServiceName}.service.d/pgpanel-datadir.conf";
        return new PlanStep
        {
            Id = $"unit-datadir-{node.Id}",
            Title = $"systemd: {l.ServiceName} serves {l.DataDirectory} (drop-in)",
            Node = node.Id,
            Description = "The unit keeps the package's defaults; a drop-in sets PGDATA, and systemd reloads its units.",
            Check = new PlanCommand(node.Id, $"systemctl show -p Environment {Quote(l.ServiceName)} | tr ' ' '\\n' | grep -qxF {Quote("PGDATA=" + l.DataDirectory)} || exit 1", "root"),
            Files = [new PlanFile(node.Id, dropIn, $"# Written by PgPanel: this node's data directory.\n[Service]\nEnvironment=PGDATA={l.DataDirectory}\n", "0644", "root") { CreateParent = true }],
            Apply = [new PlanCommand(node.Id, "systemctl daemon-reload", "root")],
        };
    }

    private static bool NeedsUnitDataDirectory(PostgresLayout l) => l.Kind == LayoutKind.RedHatService && l.UseSystemd && !l.HasDefaultDataDirectory;

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

    /// <summary>A start or restart that, when the server does not come up, shows why: the last lines of its logs.</summary>
    private static string WithLogTail(PostgresLayout l, string command) =>
        $$"""
        if ! {{command}}; then
          echo "The server did not start." >&2
          {
        {{Indent(l.LogTail, "    ")}}
          } >&2
          exit 1
        fi
        """;

    private static string Indent(string text, string prefix) => string.Join('\n', text.Split('\n').Select(line => prefix + line));

    private static string? ServiceUser(PlanNode node) => node.Layout.ServiceUser;

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

    /// <summary>The slot of a standby that left the spec (confirmed by the DBA): dropped, unless a standby still streams through it.</summary>
    private static PlanStep DropSlot(PlanNode primary, string slot)
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

    // ---------------------------------------------------------------- standby

    private static IEnumerable<PlanStep> StandbySteps(ClusterSpec spec, PlanNode primary, PlanNode standby, string hba, HostFacts facts, HostFacts primaryFacts, PlanOptions keep)
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

        if (v >= PgVersion.Of(12))
        {
            AddStandbyFile("standby.signal", "");
        }
        else
        {
            AddStandbyFile("recovery.conf", ConfigRenderer.RecoveryConf(spec, standby, primary));
        }

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

        if (NeedsSelinuxRules(standby, facts))
        {
            yield return SelinuxLabel(standby);
        }

        if (NeedsUnitDataDirectory(l))
        {
            yield return UnitDataDirectory(standby);
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
        yield return IncludeSettings(spec, standby, restart);
        yield return Hba(standby, hba, reload);
        yield return Handler(standby, restart, "Restart the standby to apply changed settings", WithLogTail(l, l.RestartCommand), [$"settings-{id}", $"include-{id}"]);
        yield return Handler(standby, reload, "Reload the standby to apply pg_hba.conf", l.ReloadCommand, [$"hba-{id}"]);
        yield return Start(standby);
    }

    // ---------------------------------------------------------------- verification

    /// <summary>On the primary: a WAL sender streams to the standby (the seed's select * from pg_stat_replication).</summary>
    private static PlanStep VerifySender(ClusterSpec spec, PlanNode primary, PlanNode standby)
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
    private static PlanStep VerifyReceiver(ClusterSpec spec, PlanNode standby)
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
