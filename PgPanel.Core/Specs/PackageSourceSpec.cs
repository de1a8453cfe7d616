namespace PgPanel.Core.Specs;

/// <summary>
/// Where PostgreSQL is installed from: set for the cluster and, when one host differs, on that node.
/// </summary>
public sealed record PackageSourceSpec
{
    public PackageSourceKind Source { get; init; } = PackageSourceKind.Upstream;

    /// <summary>
    /// With <see cref="PackageSourceKind.Mirror"/>: the base of a mirror laid out as https://download.postgresql.org/pub/repos/yum
    /// (e.g. https://yum-archive.postgresql.org for end-of-life versions and EL-7, or an internal mirror); PgPanel
    /// reads &lt;base&gt;/&lt;version&gt;/redhat/rhel-&lt;N&gt;-x86_64 and the signing key &lt;base&gt;/keys/PGDG-RPM-GPG-KEY-RHEL.
    /// </summary>
    public string? MirrorUrl { get; init; }

    /// <summary>
    /// Optional, RPM family: a mirror of the distribution's own repositories for PostgreSQL's dependencies — EL-7 as the
    /// CentOS vault (https://vault.centos.org/7.9.2009: os/ and updates/), EL-8+ with BaseOS/ and AppStream/.
    /// </summary>
    public string? OsMirrorUrl { get; init; }

    public static PackageSourceSpec Default { get; } = new();
}
