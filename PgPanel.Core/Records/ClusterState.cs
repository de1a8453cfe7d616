namespace PgPanel.Core.Records;

/// <summary>Where a registered cluster stands. Stored as its lower-case name ("provisioning", "ready").</summary>
public enum ClusterState
{
    /// <summary>Registered by a run that has not succeeded yet: not monitored, not a base for a change's diff.</summary>
    Provisioning,

    /// <summary>A run of it succeeded: monitored, and changes to it are reviewed against its stored spec.</summary>
    Ready,
}
