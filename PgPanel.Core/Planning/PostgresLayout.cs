using PgPanel.Core.Hosts;
using PgPanel.Core.Specs;
using static PgPanel.Core.Security.ShellQuote;

namespace PgPanel.Core.Planning;

/// <summary>Paths and service commands of one node: the OS family × version × target decisions in one place.</summary>
public sealed record PostgresLayout
{
    public required LayoutKind Kind { get; init; }

    public required PgVersion Version { get; init; }

    public required string BinDirectory { get; init; }

    public required string DataDirectory { get; init; }

    /// <summary>The directory holding postgresql.conf and pg_hba.conf.</summary>
    public required string ConfigDirectory { get; init; }

    /// <summary>The whole-file settings PgPanel owns, included from postgresql.conf.</summary>
    public required string SettingsFile { get; init; }

    public required string SocketDirectory { get; init; }

    /// <summary>
    /// The server's own log file (Debian, this machine), or where pg_ctl -l writes what the server prints before its
    /// logging collector starts (PGDG without systemd: pgstartup.log beside the data directory, as PGDG's init scripts did).
    /// </summary>
    public required string LogFile { get; init; }

    /// <summary>Where the logging collector writes (PGDG's packages turn it on: $PGDATA/log, pg_log on 9.x); null: none.</summary>
    public string? ServerLogDirectory { get; init; }

    /// <summary>The OS user that owns the cluster; null: the user commands run as (a panel that is not root).</summary>
    public string? OsUser { get; init; }

    public bool UseSystemd { get; init; }

    /// <summary>Debian cluster name ("main").</summary>
    public string ClusterName { get; init; } = "main";

    public string HbaFile => $"{ConfigDirectory}/pg_hba.conf";

    public string MainConfigFile => $"{ConfigDirectory}/postgresql.conf";

    public string ParentDirectory => DataDirectory[..DataDirectory.LastIndexOf('/')] is { Length: > 0 } p ? p : "/";

    /// <summary>Where a standby is cloned before it is moved into place: next to the data directory, same file system.</summary>
    public string StagingDirectory => $"{ParentDirectory}/.{DataDirectory[(DataDirectory.LastIndexOf('/') + 1)..]}.pgpanel-clone";

    public string Bin(string program) => $"{BinDirectory}/{program}";

    public string ServiceName => Kind switch
    {
        LayoutKind.DebianCluster => $"postgresql@{Version}-{ClusterName}",
        LayoutKind.RedHatService => $"postgresql-{Version}",
        _ => "",
    };

    /// <summary>psql as the cluster owner over the node's Unix socket.</summary>
    public string Psql(string database = "postgres") =>
        $"{Quote(Bin("psql"))} -X -q -v ON_ERROR_STOP=1 -h {Quote(SocketDirectory)} -p {Port} -d {Quote(database)}";

    public required int Port { get; init; }

    /// <summary>
    /// Exit 0 when the server is running. Run as <see cref="ServiceUser"/>: systemd's own answer where systemd manages
    /// the server, pg_ctl as the cluster owner otherwise (pg_ctl refuses to run as root).
    /// </summary>
    public string StatusCommand => (Kind, UseSystemd) switch
    {
        (LayoutKind.DebianCluster, _) => $"pg_ctlcluster {Version} {Quote(ClusterName)} status >/dev/null 2>&1",
        (LayoutKind.RedHatService, true) => $"systemctl is-active --quiet {Quote(ServiceName)}",
        _ => $"{Quote(Bin("pg_ctl"))} status -D {Quote(DataDirectory)} >/dev/null 2>&1",
    };

    /// <summary>The OS user the start, restart, reload and status commands run as: root for systemd, else the cluster owner.</summary>
    public string? ServiceUser => ServiceNeedsRoot ? "root" : OsUser;

    /// <summary>Shell text that prints the last lines of whatever says why the server did not start, from where this layout logs.</summary>
    public string LogTail
    {
        get
        {
            var lines = new List<string>();
            if (Kind == LayoutKind.RedHatService && UseSystemd)
            {
                lines.Add($"echo \"journalctl -u {ServiceName}, last lines:\"; journalctl -u {Quote(ServiceName)} -n 20 --no-pager 2>&1 || true");
            }
            else
            {
                lines.Add($"echo \"{LogFile}, last lines:\"; tail -n 20 {Quote(LogFile)} 2>&1 || true");
            }

            if (ServerLogDirectory is not null)
            {
                lines.Add($"newest=$(ls -t {Quote(ServerLogDirectory)}/*.log 2>/dev/null | head -n 1 || true)");
                lines.Add("if [ -n \"$newest\" ]; then echo \"$newest, last lines:\"; tail -n 20 \"$newest\" || true; fi");
            }

            return string.Join('\n', lines);
        }
    }

    public string StartCommand => (Kind, UseSystemd) switch
    {
        (LayoutKind.DebianCluster, true) => $"systemctl enable --now {Quote(ServiceName)}",
        (LayoutKind.DebianCluster, false) => $"pg_ctlcluster {Version} {Quote(ClusterName)} start",
        (LayoutKind.RedHatService, true) => $"systemctl enable --now {Quote(ServiceName)}",
        _ => $"{Quote(Bin("pg_ctl"))} start -D {Quote(DataDirectory)} -l {Quote(LogFile)} -w -t 300",
    };

    public string RestartCommand => (Kind, UseSystemd) switch
    {
        (LayoutKind.DebianCluster, true) or (LayoutKind.RedHatService, true) => $"systemctl restart {Quote(ServiceName)}",
        (LayoutKind.DebianCluster, false) => $"pg_ctlcluster {Version} {Quote(ClusterName)} restart -m fast",
        _ => $"{Quote(Bin("pg_ctl"))} restart -D {Quote(DataDirectory)} -l {Quote(LogFile)} -m fast -w -t 300",
    };

    public string ReloadCommand => (Kind, UseSystemd) switch
    {
        (LayoutKind.DebianCluster, true) or (LayoutKind.RedHatService, true) => $"systemctl reload {Quote(ServiceName)}",
        (LayoutKind.DebianCluster, false) => $"pg_ctlcluster {Version} {Quote(ClusterName)} reload",
        _ => $"{Quote(Bin("pg_ctl"))} reload -D {Quote(DataDirectory)}",
    };

    /// <summary>True when start/restart/reload must run as root (systemd, pg_ctlcluster as root is fine too).</summary>
    public bool ServiceNeedsRoot => UseSystemd;

    /// <summary>Resolves the layout of one node from the target, the OS facts and the spec's data directory.</summary>
    public static PostgresLayout For(
        bool localTarget, HostFacts facts, PgVersion version, int port, string? dataDirectory, string clusterName, string nodeId, string localRoot)
    {
        var owner = facts.CanBecomeRoot ? "postgres" : null;
        if (localTarget)
        {
            var data = dataDirectory ?? $"{localRoot.TrimEnd('/')}/clusters/{clusterName}/{nodeId}";
            return new PostgresLayout
            {
                Kind = LayoutKind.SelfContained,
                Version = version,
                Port = port,
                BinDirectory = facts.PostgresBinDirectories.TryGetValue(version, out var bin) ? bin : DefaultBinDirectory(facts.Os, version),
                DataDirectory = data,
                ConfigDirectory = data,
                SettingsFile = $"{data}/pgpanel.conf",
                SocketDirectory = owner is null ? "/tmp" : "/var/run/postgresql",
                LogFile = $"{data}.log",
                OsUser = owner,
            };
        }

        if (facts.Os.Family == OsFamily.Debian)
        {
            var config = $"/etc/postgresql/{version}/main";
            return new PostgresLayout
            {
                Kind = LayoutKind.DebianCluster,
                Version = version,
                Port = port,
                BinDirectory = DefaultBinDirectory(facts.Os, version),
                DataDirectory = dataDirectory ?? $"/var/lib/postgresql/{version}/main",
                ConfigDirectory = config,
                SettingsFile = $"{config}/conf.d/pgpanel.conf",
                SocketDirectory = "/var/run/postgresql",
                LogFile = $"/var/log/postgresql/postgresql-{version}-main.log",
                OsUser = owner,
                UseSystemd = facts.HasSystemd,
            };
        }

        var rhData = dataDirectory ?? DefaultRedHatDataDirectory(version);
        var rhParent = rhData[..rhData.LastIndexOf('/')] is { Length: > 0 } p ? p : "/";
        return new PostgresLayout
        {
            Kind = LayoutKind.RedHatService,
            Version = version,
            Port = port,
            BinDirectory = DefaultBinDirectory(facts.Os, version),
            DataDirectory = rhData,
            ConfigDirectory = rhData,
            SettingsFile = $"{rhData}/pgpanel.conf",
            SocketDirectory = "/var/run/postgresql",
            LogFile = $"{rhParent.TrimEnd('/')}/pgstartup.log",
            ServerLogDirectory = $"{rhData}/{(version >= PgVersion.Of(10) ? "log" : "pg_log")}",
            OsUser = owner,
            UseSystemd = facts.HasSystemd,
        };
    }

    /// <summary>PGDG's data directory, the one its unit and SELinux policy know: /var/lib/pgsql/NN/data.</summary>
    public static string DefaultRedHatDataDirectory(PgVersion version) => $"/var/lib/pgsql/{version}/data";

    /// <summary>True when the data directory is the one the package, its unit and the SELinux policy expect.</summary>
    public bool HasDefaultDataDirectory => Kind switch
    {
        LayoutKind.RedHatService => DataDirectory == DefaultRedHatDataDirectory(Version),
        LayoutKind.DebianCluster => DataDirectory == $"/var/lib/postgresql/{Version}/{ClusterName}",
        _ => false,
    };

    public static string DefaultBinDirectory(OsTarget os, PgVersion version) => os.Family == OsFamily.Debian
        ? $"/usr/lib/postgresql/{version}/bin"
        : $"/usr/pgsql-{version}/bin";
}
