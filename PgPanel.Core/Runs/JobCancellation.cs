using System.Collections.Concurrent;

namespace PgPanel.Core.Runs;

/// <summary>The cancellation sources of running jobs, so the API can stop the running command.</summary>
public sealed class JobCancellation
{
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _running = new();

    internal CancellationTokenSource Register(Guid jobId, CancellationToken stopping)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _running[jobId] = cts;
        return cts;
    }

    internal void Unregister(Guid jobId)
    {
        if (_running.TryRemove(jobId, out var cts))
        {
            cts.Dispose();
        }
    }

    /// <summary>Cancels a running job; false when it is not running here.</summary>
    public bool Cancel(Guid jobId)
    {
        if (_running.TryGetValue(jobId, out var cts))
        {
            cts.Cancel();
            return true;
        }

        return false;
    }
}
