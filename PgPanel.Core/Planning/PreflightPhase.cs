using PgPanel.Core.Hosts;
using PgPanel.Core.Records;
using PgPanel.Core.Specs;
using static PgPanel.Core.Planning.StepPrivileges;
using static PgPanel.Core.Security.ShellQuote;

namespace PgPanel.Core.Planning;

/// <summary>
/// Phase 1, pre-flight: the checks that stop a job before any host is changed (<c>preflight-*</c> steps, kind
/// <see cref="StepKind.Preflight"/>): PgPanel can become root, PostgreSQL's binaries are there (or the package source
/// the install will use is reachable), the data directory is empty or already this cluster, the port is free, the disk
/// has room. The SELinux tools check (<c>preflight-selinux-*</c>) lives with the other SELinux steps in
/// <see cref="HostSecurityPhase"/>; the replication-connection check of a standby in <see cref="StandbyPhase"/>.
/// Per-OS differences here are the package advice (apt vs yum/dnf, EL-7's archives, via <see cref="PackagePhase"/>);
/// the only per-version one is the PG_VERSION a reused data directory must hold.
/// </summary>
internal static class PreflightPhase
{
    /// <summary>
    /// A server reached over SSH is changed as root (packages, system directories, its service): a login that cannot
    /// become root stops the job here, before any host is touched.
    /// </summary>
    internal static PlanStep RootAvailable(PlanNode node, HostFacts facts, IEnumerable<string> nodeIds) => new()
    {
        Id = $"preflight-root-{node.Id}",
        Title = $"PgPanel can become root on the host of {string.Join(" and ", nodeIds)}",
        Node = node.Id,
        Kind = StepKind.Preflight,
        Description = "The package, its directories and its service belong to root; PgPanel needs root or sudo there.",
        Check = new PlanCommand(node.Id,
            $"echo {Quote($"{facts.User}@{node.Host} is not root and cannot use sudo (sudo -n failed and no sudo password worked). Log in as root, give the user sudo rights, or set connection.sudoPassword; nothing was changed on any host.")} >&2\nexit 3"),
    };

    internal static PlanStep BinariesPresent(PlanNode node, HostFacts facts, PgVersion version)
    {
        var bin = node.Layout.BinDirectory;
        var install = facts.Os.Family == OsFamily.Debian
            ? $"apt-get install -y postgresql-{version}"
            : $"install the PGDG repository for EL-{facts.Os.EnterpriseLinuxRelease}, then {PackagePhase.PackageManager(facts.Os)} install -y postgresql{version.Compact}-server postgresql{version.Compact}-contrib";
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

    /// <summary>Before anything changes: the host can read the repositories PostgreSQL will be installed from.</summary>
    internal static PlanStep PackageSourceReachable(PlanNode node, HostFacts facts, PgVersion version)
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
                    echo {{Quote(PackagePhase.PackageSourceAdvice(os, version).Replace("packages.osMirrorUrl", "its apt sources", StringComparison.Ordinal))}} >&2
                    exit 3
                  fi
                  echo "The host's apt sources answer."
                  """;
        }
        else if (node.Packages.Source == PackageSourceKind.Mirror)
        {
            var mirror = node.Packages.MirrorUrl!;
            var urls = new List<string> { PackagePhase.PgdgRepository(mirror, version, os) + "/repodata/repomd.xml", PackagePhase.PgdgKey(mirror, os) };
            if (node.Packages.OsMirrorUrl is { } osMirror)
            {
                urls.AddRange(PackagePhase.OsRepositories(osMirror, os).Select(r => r.Url + "/repodata/repomd.xml"));
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
                  echo "Check packages.mirrorUrl (a copy of {{PackagePhase.PgdgYum}}: <version>/redhat/rhel-<N>-x86_64 and keys/ below it) and packages.osMirrorUrl, and that this host can reach them." >&2
                  exit 3
                fi
                echo "The mirror has PostgreSQL {{version}} for EL-{{os.EnterpriseLinuxRelease}} and its signing key."
                """;
        }
        else
        {
            var yum = PackagePhase.PackageManager(os);
            var repoRpm = $"{PackagePhase.PgdgYum}/reporpms/EL-{os.EnterpriseLinuxRelease}-x86_64/pgdg-redhat-repo-latest.noarch.rpm";
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
                  echo {{Quote(PackagePhase.PackageSourceAdvice(os, version))}} >&2
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

    internal static PlanStep DataDirectoryUsable(ClusterSpec spec, PlanNode node)
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

    internal static PlanStep PortAvailable(PlanNode node)
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
    internal static PlanStep DiskSpace(PlanNode node, long? primaryBytes)
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
}
