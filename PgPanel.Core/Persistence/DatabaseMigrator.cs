using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;

namespace PgPanel.Core.Persistence;

/// <summary>
/// Applies the SQLite migrations at start-up, before the job worker reads the history. Registered as the first hosted
/// service: the others (the saved settings' loader, the account bootstrapper, the job worker) start after it.
/// </summary>
internal sealed class DatabaseMigrator(IDbContextFactory<PanelDbContext> contexts) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        if (db.Database.IsSqlite())
        {
            OwnerOnly(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource);
        }

        await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        // A rollback journal, not WAL: WAL's index is a memory-mapped file, and a store that turns read-only under the
        // running panel (a full or remounted disk, chattr +i) would end the process with SIGBUS. With a journal such a
        // store answers errors, which fail the job that met them and show in /healthz.
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=TRUNCATE;", cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The history holds the audit, sealed secrets and host keys: the database and its journal are the panel user's
    /// only (0600). A new file is created so before SQLite opens it (SQLite gives its journal the database's mode).
    /// </summary>
    private static void OwnerOnly(string path)
    {
        if (OperatingSystem.IsWindows() || string.IsNullOrEmpty(path) || path == ":memory:")
        {
            return;
        }

        const UnixFileMode ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        if (!File.Exists(path))
        {
            using (new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = ownerOnly }))
            {
            }
        }

        foreach (var file in new[] { path, path + "-journal", path + "-wal", path + "-shm" }.Where(File.Exists))
        {
            File.SetUnixFileMode(file, ownerOnly);
        }
    }
}
