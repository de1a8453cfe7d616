namespace PgPanel.Core.Specs;

/// <summary>Where a host's PostgreSQL packages come from when PgPanel has to install them.</summary>
public enum PackageSourceKind
{
    /// <summary>The distribution's own packages or the PostgreSQL project's repositories (PGDG yum, apt.postgresql.org).</summary>
    Upstream,

    /// <summary>A mirror of the PGDG repositories (an internal mirror, the PGDG archive for EOL versions), and optionally of the OS's own.</summary>
    Mirror,

    /// <summary>PostgreSQL is already installed: PgPanel installs nothing and refuses a host without it.</summary>
    Installed,
}
