using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using PgPanel.Core.Persistence;

namespace PgPanel.Core.Runs;

/// <summary>
/// /healthz: the store takes a write lock now (BEGIN IMMEDIATE, rolled back; at most 2 s) and its last real write
/// worked. Unhealthy says why; the panel itself keeps running.
/// </summary>
public sealed class StoreHealthCheck(IDbContextFactory<PanelDbContext> contexts, StoreHealth health) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            db.Database.SetCommandTimeout(TimeSpan.FromSeconds(2));
            await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // This connection waits 2 s for the lock, not the 30 s a write waits.
                await db.Database.ExecuteSqlRawAsync("PRAGMA busy_timeout = 2000;", cancellationToken).ConfigureAwait(false);
                await db.Database.ExecuteSqlRawAsync("BEGIN IMMEDIATE; ROLLBACK;", cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await db.Database.ExecuteSqlRawAsync("PRAGMA busy_timeout = 30000;", CancellationToken.None).ConfigureAwait(false);
                await db.Database.CloseConnectionAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (StoreHealth.IsStoreFailure(ex))
        {
            return HealthCheckResult.Unhealthy($"The store cannot be written: {ex.GetBaseException().Message}");
        }

        return health.Problem is { } problem
            ? HealthCheckResult.Degraded($"{problem.Reason} (since {problem.Since:u}); a write lock can be taken now.")
            : HealthCheckResult.Healthy("The store is writable.");
    }
}
