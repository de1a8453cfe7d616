using Microsoft.EntityFrameworkCore;
using PgPanel.Core.Persistence;
using PgPanel.Core.Records;
using PgPanel.Core.Security;

namespace PgPanel.Core.Clusters;

/// <summary>The clusters PgPanel built, with their credentials sealed at rest.</summary>
public sealed class ClusterStore(IDbContextFactory<PanelDbContext> contexts, SecretProtector protector, TimeProvider time)
{
    public async Task<ClusterRecord?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Clusters.AsNoTracking().SingleOrDefaultAsync(c => c.Name == name, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ClusterRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Clusters.AsNoTracking().OrderBy(c => c.Name).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The secrets of the cluster's last successful run (none before one succeeded).</summary>
    public async Task<IReadOnlyDictionary<string, Secret>> GetSecretsAsync(string name, CancellationToken cancellationToken = default)
    {
        var record = await GetAsync(name, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return new Dictionary<string, Secret>();
        }

        return Unseal(record.SealedSecretsJson);
    }

    /// <summary>Seals secrets into the JSON kept with a job or a cluster.</summary>
    public string Seal(IReadOnlyDictionary<string, Secret> secrets) =>
        PanelJson.Serialize(secrets.ToDictionary(kv => kv.Key, kv => protector.Seal(kv.Value), StringComparer.Ordinal));

    public IReadOnlyDictionary<string, Secret> Unseal(string sealedJson) =>
        PanelJson.Deserialize<Dictionary<string, string>>(sealedJson).ToDictionary(kv => kv.Key, kv => protector.Unseal(kv.Value), StringComparer.Ordinal);

    /// <summary>Creates or updates a cluster with its spec (secrets removed). Its secrets change only when a run succeeds.</summary>
    public async Task SaveAsync(string name, string postgresVersion, string specJson, Guid jobId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var record = await db.Clusters.SingleOrDefaultAsync(c => c.Name == name, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            record = new ClusterRecord { Name = name, PostgresVersion = postgresVersion, SpecJson = specJson, CreatedAt = now };
            db.Clusters.Add(record);
        }

        record.PostgresVersion = postgresVersion;
        record.SpecJson = specJson;
        record.LastJobId = jobId;
        record.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Removes a cluster from PgPanel — its record, sealed secrets, pinned host keys, lag history and alert history — and
    /// nothing else: no server is touched, and its runs stay in the job history (the audit trail). False: no such cluster.
    /// </summary>
    public async Task<bool> ForgetAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var removed = await db.Clusters.Where(c => c.Name == name).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await db.ReplicationPoints.Where(p => p.ClusterName == name).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await db.AlertEvents.Where(a => a.ClusterName == name).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return removed > 0;
    }

    /// <summary>Endpoint → pinned host key fingerprint.</summary>
    public async Task<IReadOnlyDictionary<string, string>> GetHostKeysAsync(string name, CancellationToken cancellationToken = default)
    {
        var record = await GetAsync(name, cancellationToken).ConfigureAwait(false);
        return record is null ? new Dictionary<string, string>() : PanelJson.Deserialize<Dictionary<string, string>>(record.HostKeysJson);
    }

    /// <summary>Pins host keys seen for the first time (trust on first use); keys already pinned are kept.</summary>
    public async Task PinHostKeysAsync(string name, IReadOnlyDictionary<string, string> seen, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var record = await db.Clusters.SingleOrDefaultAsync(c => c.Name == name, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return;
        }

        var pins = PanelJson.Deserialize<Dictionary<string, string>>(record.HostKeysJson);
        foreach (var (endpoint, fingerprint) in seen)
        {
            pins.TryAdd(endpoint, fingerprint);
        }

        record.HostKeysJson = PanelJson.Serialize(pins);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replaces a cluster's spec (the cloud phase fills in its nodes' addresses).</summary>
    public async Task UpdateSpecAsync(string name, string specJson, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await db.Clusters.Where(c => c.Name == name).ExecuteUpdateAsync(set => set
            .SetProperty(c => c.SpecJson, specJson)
            .SetProperty(c => c.UpdatedAt, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A run succeeded: the cluster is ready, and the secrets it ran with become the cluster's.</summary>
    public async Task MarkReadyAsync(string name, Guid jobId, string sealedSecretsJson, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await db.Clusters.Where(c => c.Name == name).ExecuteUpdateAsync(set => set
            .SetProperty(c => c.State, ClusterState.Ready)
            .SetProperty(c => c.LastJobId, jobId)
            .SetProperty(c => c.SealedSecretsJson, sealedSecretsJson)
            .SetProperty(c => c.LastSucceededJobId, jobId)
            .SetProperty(c => c.UpdatedAt, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
    }
}
