using System.Globalization;
using PgPanel.Core.Hosts;
using PgPanel.Core.Specs;
using static PgPanel.Core.Security.ShellQuote;

namespace PgPanel.Core.Planning;

/// <summary>
/// Phase 2a, packages: installing PostgreSQL where it is missing and the panel may (<c>install-*</c>, one step per
/// host, under a host-wide package lock), and what the install and the pre-flight package checks share: the package
/// manager (yum on EL-7, dnf on EL-8+), the PGDG repository and signing key URLs, the OS mirror repositories, the
/// repository file written for a mirror, and the advice given when the repositories cannot be reached. The per-OS
/// differences live here (Debian: the distribution's or PGDG's apt packages; RHEL family: PGDG upstream or a mirror);
/// the per-version ones are the package names and PGDG's archive for versions before 13.
/// </summary>
internal static class PackagePhase
{
    internal static bool NeedsInstall(HostFacts facts, PgVersion version) => !facts.PostgresBinDirectories.ContainsKey(version);

    /// <summary>yum on EL-7, dnf on EL-8 and later.</summary>
    internal static string PackageManager(OsTarget os) => os.EnterpriseLinuxRelease >= 8 ? "dnf" : "yum";

    internal const string PgdgYum = "https://download.postgresql.org/pub/repos/yum";

    /// <summary>The PGDG repository of a version for the host's EL release, under a mirror's base URL.</summary>
    internal static string PgdgRepository(string baseUrl, PgVersion version, OsTarget os) =>
        $"{baseUrl.TrimEnd('/')}/{version}/redhat/rhel-{os.EnterpriseLinuxRelease}-x86_64";

    internal static string PgdgKey(string baseUrl, OsTarget os) =>
        $"{baseUrl.TrimEnd('/')}/keys/PGDG-RPM-GPG-KEY-RHEL{(os.EnterpriseLinuxRelease == 7 ? "7" : "")}";

    /// <summary>The distribution's own repositories under an OS mirror: CentOS vault layout on EL-7, BaseOS/AppStream on EL-8+.</summary>
    internal static IReadOnlyList<(string Id, string Url)> OsRepositories(string baseUrl, OsTarget os)
    {
        var b = baseUrl.TrimEnd('/');
        return os.EnterpriseLinuxRelease == 7
            ? [("pgpanel-os-base", $"{b}/os/x86_64"), ("pgpanel-os-updates", $"{b}/updates/x86_64")]
            : [("pgpanel-os-baseos", $"{b}/BaseOS/x86_64/os"), ("pgpanel-os-appstream", $"{b}/AppStream/x86_64/os")];
    }

    /// <summary>What to set when the host cannot reach its repositories, in the host's own terms.</summary>
    internal static string PackageSourceAdvice(OsTarget os, PgVersion version)
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

    /// <summary>
    /// Package installs on one host take turns (runs of different clusters may share a host, and apt-get fails at once on
    /// a held lock): the install holds a host-wide lock, waiting up to 15 minutes for another holder.
    /// </summary>
    private const string PackageLock =
        """
        exec 9>/var/tmp/pgpanel-packages.lock
        if ! flock -w 900 9; then echo 'Another run has been installing packages on this host for 15 minutes; try again later.' >&2; exit 1; fi

        """;

    internal static PlanStep Install(PlanNode node, HostFacts facts, PgVersion version, IEnumerable<string> nodeIds)
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
}
