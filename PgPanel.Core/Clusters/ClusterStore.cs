using Microsoft.EntityFrameworkCore;
using PgPanel.Core.Runs;
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

    public async Task<IReadOnlyDictionary<string, Secret>> GetSecretsAsync(string name, CancellationToken cancellationToken = default)
    {
        var record = await GetAsync(name, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return new Dictionary<string, Secret>();
        }

        var sealedValues = PanelJson.Deserialize<Dictionary<string, string>>(record.SealedSecretsJson);
        return sealedValues.ToDictionary(kv => kv.Key, kv => protector.Unseal(kv.Value), StringComparer.Ordinal);
    }

    /// <summary>Creates or updates a cluster with its spec (secrets removed) and its sealed secrets.</summary>
    public async Task SaveAsync(string name, string postgresVersion, string specJson, IReadOnlyDictionary<string, Secret> secrets,
        Guid jobId, CancellationToken cancellationToken = default)
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
        record.SealedSecretsJson = PanelJson.Serialize(secrets.ToDictionary(kv => kv.Key, kv => protector.Seal(kv.Value), StringComparer.Ordinal));
        record.LastJobId = jobId;
        record.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
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

    public async Task MarkReadyAsync(string name, Guid jobId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await db.Clusters.Where(c => c.Name == name).ExecuteUpdateAsync(set => set
            .SetProperty(c => c.State, "ready")
            .SetProperty(c => c.LastJobId, jobId)
            .SetProperty(c => c.UpdatedAt, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
    }
}
