using PgPanel.Core.Hosts;
using static PgPanel.Core.Security.ShellQuote;

namespace PgPanel.Bench;

/// <summary>The local PostgreSQL 15 the benchmarks drive directly: scripts and psql as the cluster owner, and stopping servers.</summary>
public static class BenchPostgres
{
    public const string BinDirectory = "/usr/lib/postgresql/15/bin";

    private static readonly LocalShell Shell = new();

    /// <summary>The OS user local clusters belong to: postgres when the bench runs as root (as PgPanel does), else the current user.</summary>
    public static string? Owner => Shell.CanBecomeRoot ? "postgres" : null;

    public static string SocketDirectory => Shell.CanBecomeRoot ? "/var/run/postgresql" : "/tmp";

    public static string Bin(string program) => $"{BinDirectory}/{program}";

    /// <summary>Runs a bash script as the cluster owner.</summary>
    public static Task<ShellResult> RunAsync(string script, IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default) =>
        Shell.RunAsync(new ShellCommand(script, Owner, environment), null, cancellationToken);

    /// <summary>Runs a script as the owner and throws with its output when it fails.</summary>
    public static async Task<string> RunCheckedAsync(string script, IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default)
    {
        var result = await RunAsync(script, environment, cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? result.Output : throw new InvalidOperationException($"Script failed ({result.ExitCode}): {result.Output}\n--- script ---\n{script}");
    }

    /// <summary>One SQL command with psql over the Unix socket, as the owner; the unaligned output.</summary>
    public static async Task<string> QueryAsync(int port, string sql, CancellationToken cancellationToken = default) =>
        (await RunCheckedAsync($"{Quote(Bin("psql"))} -X -q -At -v ON_ERROR_STOP=1 -h {Quote(SocketDirectory)} -p {port} -d postgres -c {Quote(sql)}",
            cancellationToken: cancellationToken).ConfigureAwait(false)).Trim();

    /// <summary>
    /// Stops (fast) every server whose data directory lies under <paramref name="root"/> (only servers this bench made),
    /// by a postmaster.pid that names that very directory.
    /// </summary>
    public static async Task StopAllUnderAsync(string root)
    {
        if (!Directory.Exists(root))
        {
            return;
        }

        foreach (var pidFile in Directory.EnumerateFiles(root, "postmaster.pid", SearchOption.AllDirectories))
        {
            // A copied data directory carries the original's postmaster.pid: pg_ctl stop there would stop the original.
            var dataDirectory = Path.GetDirectoryName(pidFile)!;
            var lines = await File.ReadAllLinesAsync(pidFile).ConfigureAwait(false);
            if (lines.Length > 1 && lines[1] == dataDirectory)
            {
                await StopAsync(dataDirectory).ConfigureAwait(false);
            }
        }
    }

    public static Task<ShellResult> StopAsync(string dataDirectory, string mode = "fast") =>
        RunAsync($"{Quote(Bin("pg_ctl"))} stop -D {Quote(dataDirectory)} -m {mode} -w -t 60 >/dev/null 2>&1 || true");

    /// <summary>Creates a directory the cluster owner can write (as root: owned by postgres).</summary>
    public static async Task CreateOwnedDirectoryAsync(string directory, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(directory);
        if (Owner is not null)
        {
            var result = await Shell.RunAsync(new ShellCommand($"chown {Owner}: {Quote(directory)} && chmod 0750 {Quote(directory)}"), null, cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException(result.Output);
            }
        }
    }

    /// <summary>Removes a directory this bench created (its servers stopped first).</summary>
    public static async Task RemoveAsync(string directory)
    {
        await StopAllUnderAsync(directory).ConfigureAwait(false);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
