using PgPanel.Core.Security;
using PgPanel.Core.Specs;

namespace PgPanel.Core.Planning;

/// <summary>
/// 9.5/9.6: pg_monitor does not exist; SECURITY DEFINER functions show the replication views to the monitor role. The
/// primary's monitor-role step creates them; the monitor's statement (<c>ReplicationQueries</c>) reads through them.
/// </summary>
public static class LegacyMonitorFunctions
{
    /// <summary>The statements that create the functions and grant them to <paramref name="role"/>.</summary>
    public static string Create(PgVersion version, string role)
    {
        var r = SqlQuote.Identifier(role);
        var text = $"""
            CREATE SCHEMA IF NOT EXISTS pgpanel;
            GRANT USAGE ON SCHEMA pgpanel TO {r};
            CREATE OR REPLACE FUNCTION pgpanel.stat_replication() RETURNS SETOF pg_catalog.pg_stat_replication
              LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS 'SELECT * FROM pg_catalog.pg_stat_replication';
            REVOKE ALL ON FUNCTION pgpanel.stat_replication() FROM PUBLIC;
            GRANT EXECUTE ON FUNCTION pgpanel.stat_replication() TO {r};
            """;
        if (version >= PgVersion.V9_6)
        {
            text += $"""

                CREATE OR REPLACE FUNCTION pgpanel.stat_wal_receiver() RETURNS SETOF pg_catalog.pg_stat_wal_receiver
                  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS 'SELECT * FROM pg_catalog.pg_stat_wal_receiver';
                REVOKE ALL ON FUNCTION pgpanel.stat_wal_receiver() FROM PUBLIC;
                GRANT EXECUTE ON FUNCTION pgpanel.stat_wal_receiver() TO {r};
                """;
        }

        return text;
    }
}
