namespace PgPanel.Core.Planning;

/// <summary>Where a node's files live and how its server is started.</summary>
public enum LayoutKind
{
    /// <summary>The local target: a data directory of PgPanel's own, config inside it, started with pg_ctl.</summary>
    SelfContained,

    /// <summary>Debian/Ubuntu packages: pg_createcluster, config in /etc/postgresql/NN/&lt;cluster&gt;, pg_ctlcluster or systemd.</summary>
    DebianCluster,

    /// <summary>PGDG RPMs: /usr/pgsql-NN, /var/lib/pgsql/NN/data, postgresql-NN-setup, systemd unit postgresql-NN.</summary>
    RedHatService,
}
