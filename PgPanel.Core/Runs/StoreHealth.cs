using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace PgPanel.Core.Runs;

/// <summary>
/// Whether the last write to the panel's store worked: the job history and the monitor's history report here, and
/// /healthz answers from it. A failed write becomes a <see cref="StoreUnavailableException"/> for the job that made it,
/// never an exception that ends the panel.
/// </summary>
public sealed partial class StoreHealth(TimeProvider time, ILogger<StoreHealth> logger)
{
    private readonly Lock _gate = new();

    /// <summary>Why the last write failed and since when; null when the last write worked.</summary>
    public (string Reason, DateTimeOffset Since)? Problem { get; private set; }

    /// <summary>True for the exceptions a store raises when it is locked, read-only, full or gone.</summary>
    public static bool IsStoreFailure(Exception ex) =>
        ex is DbException or DbUpdateException or IOException or UnauthorizedAccessException ||
        (ex is InvalidOperationException && ex.InnerException is DbException);

    /// <summary>Runs a store operation; a store failure is recorded and rethrown as <see cref="StoreUnavailableException"/>.</summary>
    public async Task<T> GuardAsync<T>(string what, Func<Task<T>> operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        try
        {
            var result = await operation().ConfigureAwait(false);
            Recovered();
            return result;
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            throw Failed(what, ex);
        }
    }

    public async Task GuardAsync(string what, Func<Task> operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        await GuardAsync(what, async () =>
        {
            await operation().ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
    }

    /// <summary>Records a failed write and makes the exception the job sees.</summary>
    public StoreUnavailableException Failed(string what, Exception ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        var reason = $"The panel's store could not {what}: {Innermost(ex).Message}";
        lock (_gate)
        {
            if (Problem is null)
            {
                Log.StoreFailed(logger, reason);
            }

            Problem = (reason, Problem?.Since ?? time.GetUtcNow());
        }

        return new StoreUnavailableException(reason, ex);
    }

    public void Recovered()
    {
        lock (_gate)
        {
            if (Problem is { } problem)
            {
                Log.StoreRecovered(logger, problem.Since);
                Problem = null;
            }
        }
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null && ex is not DbException)
        {
            ex = ex.InnerException;
        }

        return ex;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1301, Level = LogLevel.Error, Message = "{Reason}")]
        public static partial void StoreFailed(ILogger logger, string reason);

        [LoggerMessage(EventId = 1302, Level = LogLevel.Information, Message = "The panel's store is writable again (it failed since {Since:u})")]
        public static partial void StoreRecovered(ILogger logger, DateTimeOffset since);
    }
}
