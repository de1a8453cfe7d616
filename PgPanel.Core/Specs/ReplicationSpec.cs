using PgPanel.Core.Security;

namespace PgPanel.Core.Specs;

/// <summary>The replication role and mode.</summary>
public sealed record ReplicationSpec
{
    public string User { get; init; } = "replica";

    /// <summary>Null: generate a strong one (kept sealed with the cluster, reused by later runs).</summary>
    public Secret? Password { get; init; }

    /// <summary>True: the standbys are named in synchronous_standby_names.</summary>
    public bool Synchronous { get; init; }

    /// <summary>True: one physical replication slot per standby, so the primary keeps the WAL a standby still needs.</summary>
    public bool UseSlots { get; init; } = true;

    /// <summary>pg_basebackup --max-rate for cloning a standby ("50M", "800k"): protects a busy primary. Null: no limit.</summary>
    public string? CloneMaxRate { get; init; }
}
