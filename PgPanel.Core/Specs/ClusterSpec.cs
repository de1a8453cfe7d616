namespace PgPanel.Core.Specs;

/// <summary>What the DBA asks for: one primary, its standbys, the replication role and settings.</summary>
public sealed record ClusterSpec
{
    public string Name { get; init; } = "";

    public PgVersion PostgresVersion { get; init; } = PgVersion.Of(15);

    public NodeSpec Primary { get; init; } = new();

    public IReadOnlyList<NodeSpec> Standbys { get; init; } = [];

    public ReplicationSpec Replication { get; init; } = new();

    public SettingsSpec Settings { get; init; } = new();

    /// <summary>Where PostgreSQL is installed from on hosts that lack it; a node may override it. Null: upstream.</summary>
    public PackageSourceSpec? Packages { get; init; }

    /// <summary>Null: the nodes exist (this machine or SSH). Set: PgPanel creates them on the cloud first.</summary>
    public CloudSpec? Cloud { get; init; }
}
