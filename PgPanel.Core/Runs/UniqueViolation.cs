using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace PgPanel.Core.Runs;

/// <summary>Recognises a write the database refused because a unique index already holds the value (SQLite and PostgreSQL).</summary>
public static class UniqueViolation
{
    private const int SqliteConstraintUnique = 2067;

    public static bool Is(Exception exception) =>
        exception is DbUpdateException { InnerException: var inner } &&
        (inner is Microsoft.Data.Sqlite.SqliteException { SqliteExtendedErrorCode: SqliteConstraintUnique } || inner is DbException { SqlState: "23505" });
}
