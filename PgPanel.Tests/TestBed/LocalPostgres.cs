using PgPanel.Core.Hosts;
using static PgPanel.Core.Security.ShellQuote;

namespace PgPanel.Tests.TestBed;

/// <summary>Talks to the real local PostgreSQL servers a test made: psql as the cluster owner, and stopping them.</summary>
public static class LocalPostgres
{
    public static readonly bool IsRoot = Environment.UserName == "root";

    public static string Owner => IsRoot ? "postgres" : Environment.UserName;

    public static string SocketDirectory => IsRoot ? "/var/run/postgresql" : "/tmp";

    public static string BinDirectory => Directory.GetDirectories("/usr/lib/postgresql").Select(d => d + "/bin")
        .Where(d => File.Exists(d + "/pg_ctl")).OrderByDescending(d => d).FirstOrDefault()
        ?? throw new InvalidOperationException("No PostgreSQL server found under /usr/lib/postgresql; run the README's test command, which installs it.");

    /// <summary>Runs one SQL command with psql on a local server and returns its unaligned output.</summary>
    public static async Task<string> QueryAsync(int port, string sql, string database = "postgres")
    {
        var result = await RunAsync($"{Quote(BinDirectory + "/psql")} -X -q -At -v ON_ERROR_STOP=1 -h {Quote(SocketDirectory)} -p {port} -d {Quote(database)} -c {Quote(sql)}");
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"psql on port {port} failed ({result.ExitCode}): {result.Output}");
        }

        return result.Output.Trim();
    }

    public static Task<ShellResult> RunAsync(string script) =>
        LocalShell.RunOnceAsync(new ShellCommand(script, IsRoot ? "postgres" : null));

    /// <summary>Stops every server whose data directory lies under <paramref name="root"/> (each one this test started).</summary>
    public static async Task StopAllUnderAsync(string root)
    {
        if (!Directory.Exists(root))
        {
            return;
        }

        foreach (var pidFile in Directory.EnumerateFiles(root, "postmaster.pid", SearchOption.AllDirectories))
        {
            var dataDirectory = Path.GetDirectoryName(pidFile)!;
            await RunAsync($"{Quote(BinDirectory + "/pg_ctl")} stop -D {Quote(dataDirectory)} -m fast -w -t 60 || true");
        }
    }
}
