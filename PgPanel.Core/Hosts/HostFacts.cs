using PgPanel.Core.Specs;

namespace PgPanel.Core.Hosts;

/// <summary>What a host is and has, as far as planning needs to know. Probed, or assumed from the spec's "os".</summary>
public sealed record HostFacts
{
    public required OsTarget Os { get; init; }

    /// <summary>True when commands can run as root (root login, sudo, or a panel running as root).</summary>
    public bool CanBecomeRoot { get; init; }

    /// <summary>The account commands run as before any change of user.</summary>
    public string User { get; init; } = "root";

    /// <summary>Installed PostgreSQL servers: major version → directory holding pg_ctl.</summary>
    public IReadOnlyDictionary<PgVersion, string> PostgresBinDirectories { get; init; } = new Dictionary<PgVersion, string>();

    public bool HasSystemd { get; init; }

    /// <summary>The SELinux mode getenforce reports ("Enforcing", "Permissive", "Disabled"); null: no SELinux tools.</summary>
    public string? Selinux { get; init; }

    public bool SelinuxEnforcing => string.Equals(Selinux, "Enforcing", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when firewalld runs on the host: its zone rules then decide who reaches PostgreSQL's port.</summary>
    public bool FirewalldRunning { get; init; }

    public bool HasPostgresUser { get; init; }

    /// <summary>Free bytes where the data directories will live, when probed.</summary>
    public long? FreeBytes { get; init; }

    /// <summary>The size of that file system, when probed (it sizes max_slot_wal_keep_size).</summary>
    public long? FileSystemBytes { get; init; }

    /// <summary>Sizes of data directories measured for planning (the primary's, so a standby's disk check knows what comes).</summary>
    public IReadOnlyDictionary<string, long> DataDirectoryBytes { get; init; } = new Dictionary<string, long>();

    /// <summary>True when these facts come from the spec's "os" rather than from the host.</summary>
    public bool Assumed { get; init; }

    public string? PrettyName { get; init; }

    /// <summary>The panel's address as this host sees it (from SSH_CLIENT); null for this machine.</summary>
    public string? PanelAddress { get; init; }

    /// <summary>Debian clusters already on the host: "15/main:5432:online".</summary>
    public IReadOnlyList<string> ExistingClusters { get; init; } = [];

    /// <summary>Of the ports asked about, those something already listens on.</summary>
    public IReadOnlyList<int> TakenPorts { get; init; } = [];

    /// <summary>
    /// Facts for a host that was not reached: a fresh server of that OS, reached as root, with systemd — and on the RHEL
    /// family the distribution's defaults, firewalld running and SELinux enforcing.
    /// </summary>
    public static HostFacts AssumedFor(OsTarget os) => new()
    {
        Os = os,
        CanBecomeRoot = true,
        User = "root",
        HasSystemd = true,
        HasPostgresUser = false,
        Selinux = os.Family == OsFamily.RedHat ? "Enforcing" : null,
        FirewalldRunning = os.Family == OsFamily.RedHat,
        Assumed = true,
    };
}
