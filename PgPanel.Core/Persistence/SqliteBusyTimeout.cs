using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace PgPanel.Core.Persistence;

/// <summary>
/// Every SQLite connection waits up to 30 s for a lock inside SQLite itself (PRAGMA busy_timeout). With a rollback
/// journal a write commits under an exclusive lock; without the engine's own wait, a commit that meets a reader (such
/// as the last step of an UPDATE … RETURNING) fails at once with "database is locked".
/// </summary>
internal sealed class SqliteBusyTimeout : DbConnectionInterceptor
{
    private const string Pragma = "PRAGMA busy_timeout = 30000;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = Pragma;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
