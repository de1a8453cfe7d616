namespace PgPanel.Core.Specs;

/// <summary>The package and path conventions a host follows.</summary>
public enum OsFamily
{
    /// <summary>Debian and Ubuntu: apt, postgresql-common (pg_createcluster/pg_ctlcluster), /etc/postgresql.</summary>
    Debian,

    /// <summary>RHEL, CentOS, Rocky, Alma, Oracle Linux and Alibaba Cloud Linux: PGDG yum/dnf, /usr/pgsql-NN.</summary>
    RedHat,
}
