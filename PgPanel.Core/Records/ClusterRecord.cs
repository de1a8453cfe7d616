namespace PgPanel.Core.Records;

/// <summary>A cluster PgPanel built: its spec (without secrets) and its sealed credentials.</summary>
public sealed class ClusterRecord
{
    public required string Name { get; set; }

    public required string PostgresVersion { get; set; }

    /// <summary>The spec of the last run, secrets removed.</summary>
    public required string SpecJson { get; set; }

    /// <summary>
    /// Secret name → value sealed with Data Protection (the key ring lives outside this database): the secrets of the
    /// cluster's last successful run, the only ones a later run reuses.
    /// </summary>
    public string SealedSecretsJson { get; set; } = "{}";

    /// <summary>The cluster's last successful run: its spec is the cluster as it stands, its secrets those in <see cref="SealedSecretsJson"/>.</summary>
    public Guid? LastSucceededJobId { get; set; }

    /// <summary>Provisioning until a run succeeds, then Ready.</summary>
    public ClusterState State { get; set; } = ClusterState.Provisioning;

    public Guid? LastJobId { get; set; }

    /// <summary>SSH endpoint ("10.0.0.5:22") → pinned host key fingerprint ("SHA256:…"), trusted on first use.</summary>
    public string HostKeysJson { get; set; } = "{}";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
