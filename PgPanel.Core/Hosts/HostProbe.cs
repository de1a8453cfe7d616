using System.Globalization;
using PgPanel.Core.Specs;

namespace PgPanel.Core.Hosts;

/// <summary>Reads <see cref="HostFacts"/> from a host in one round trip: OS, user, PostgreSQL installs, systemd, free space.</summary>
public static class HostProbe
{
    internal const string Script =
        """
        if [ -r /etc/os-release ]; then . /etc/os-release; fi
        echo "os.id=${ID:-}"
        echo "os.version=${VERSION_ID:-}"
        echo "os.like=${ID_LIKE:-}"
        echo "os.pretty=${PRETTY_NAME:-}"
        echo "user=$(id -un)"
        echo "uid=$(id -u)"
        if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then echo "sudo=1"; fi
        for d in /usr/lib/postgresql/*/bin /usr/pgsql-*/bin; do
          if [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ]; then echo "pg=$("$d/postgres" --version | grep -oE '[0-9]+(\.[0-9]+)+' | head -n 1)|$d"; fi
        done
        if [ -d /run/systemd/system ]; then echo "systemd=1"; fi
        if command -v getenforce >/dev/null 2>&1; then echo "selinux=$(getenforce 2>/dev/null || true)"; fi
        if pgrep -x firewalld >/dev/null 2>&1; then echo "firewalld=1"; fi
        if id postgres >/dev/null 2>&1; then echo "postgres_user=1"; fi
        probe_dir="${PGPANEL_PROBE_DIR:-/var/lib}"
        while [ ! -e "$probe_dir" ]; do probe_dir=$(dirname "$probe_dir"); done
        echo "free_kb=$(df -Pk "$probe_dir" | awk 'NR==2 {print $4}')"
        echo "total_kb=$(df -Pk "$probe_dir" | awk 'NR==2 {print $2}')"
        if [ -n "${SSH_CLIENT:-}" ]; then echo "ssh_client=${SSH_CLIENT%% *}"; fi
        if command -v pg_lsclusters >/dev/null 2>&1; then pg_lsclusters -h 2>/dev/null | awk '{print "cluster=" $1 "/" $2 ":" $3 ":" $4}'; fi
        for port in ${PGPANEL_PROBE_PORTS:-}; do
          hex=$(printf '%04X' "$port")
          if grep -qE "^ *[0-9]+: [0-9A-F]+:$hex [0-9A-F]+:[0-9A-F]+ 0A " /proc/net/tcp /proc/net/tcp6 2>/dev/null; then echo "port_taken=$port"; fi
        done
        """;

    /// <summary>Probes a host. <paramref name="dataRoot"/> is where free space is measured.</summary>
    /// <param name="ports">Ports to report as taken when something listens on them.</param>
    public static async Task<HostFacts> ProbeAsync(IHostShell shell, string? dataRoot = null, IEnumerable<int>? ports = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(shell);
        var environment = new Dictionary<string, string>();
        if (dataRoot is not null)
        {
            environment["PGPANEL_PROBE_DIR"] = dataRoot;
        }

        if (ports is not null)
        {
            environment["PGPANEL_PROBE_PORTS"] = string.Join(' ', ports.Select(p => p.ToString(CultureInfo.InvariantCulture)));
        }

        var result = await shell.RunAsync(new ShellCommand(Script, Environment: environment), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new HostProbeException($"Probing {shell.Description} failed with exit code {result.ExitCode}: {result.LastLine}");
        }

        var facts = Parse(result.Output, shell.Description);
        return shell.CanBecomeRoot && !facts.CanBecomeRoot ? facts with { CanBecomeRoot = true } : facts;
    }

    internal static HostFacts Parse(string output, string description)
    {
        var values = new List<KeyValuePair<string, string>>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                values.Add(new(line[..eq], line[(eq + 1)..].Trim()));
            }
        }

        string Get(string key) => values.LastOrDefault(v => v.Key == key).Value ?? "";
        var os = OsTarget.FromOsRelease(Get("os.id"), Get("os.version"), Get("os.like"))
            ?? throw new HostProbeException($"{description} runs '{Get("os.pretty")}' (ID={Get("os.id")}), which PgPanel does not support; use Debian/Ubuntu or RHEL/CentOS/Rocky/Alma/Alibaba Cloud Linux.");
        var installs = new Dictionary<PgVersion, string>();
        foreach (var (_, value) in values.Where(v => v.Key == "pg"))
        {
            var parts = value.Split('|', 2);
            if (parts.Length == 2 && PgVersion.TryParse(parts[0], out var version))
            {
                installs[version] = parts[1];
            }
        }

        return new HostFacts
        {
            Os = os,
            PrettyName = Get("os.pretty"),
            User = Get("user"),
            CanBecomeRoot = Get("uid") == "0" || Get("sudo") == "1",
            PostgresBinDirectories = installs,
            HasSystemd = Get("systemd") == "1",
            Selinux = Get("selinux") is { Length: > 0 } selinux ? selinux : null,
            FirewalldRunning = Get("firewalld") == "1",
            HasPostgresUser = Get("postgres_user") == "1",
            FreeBytes = long.TryParse(Get("free_kb"), NumberStyles.None, CultureInfo.InvariantCulture, out var kb) ? kb * 1024 : null,
            FileSystemBytes = long.TryParse(Get("total_kb"), NumberStyles.None, CultureInfo.InvariantCulture, out var totalKb) ? totalKb * 1024 : null,
            PanelAddress = Get("ssh_client") is { Length: > 0 } client ? client : null,
            ExistingClusters = values.Where(v => v.Key == "cluster").Select(v => v.Value).ToList(),
            TakenPorts = values.Where(v => v.Key == "port_taken").Select(v => int.Parse(v.Value, CultureInfo.InvariantCulture)).ToList(),
        };
    }
}
