using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;

namespace PgPanel.Core.Runs;

/// <summary>Applies the SQLite migrations at start-up, before the job worker reads the history.</summary>
internal sealed class DatabaseMigrator(IDbContextFactory<PanelDbContext> contexts, Settings.SettingsStore settings) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
        await settings.LoadAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
