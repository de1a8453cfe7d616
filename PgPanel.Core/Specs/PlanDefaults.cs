namespace PgPanel.Core.Specs;

/// <summary>The defaults PgPanel plans with when the spec says nothing; the seed's values where they are sound.</summary>
public static class PlanDefaults
{
    public const int MaxConnections = 100;
    public const int MaxWalSenders = 10;
    public const int MaxReplicationSlots = 10;
    public const string WalSenderTimeout = "60s";
    public const string MaxStandbyStreamingDelay = "30s";
    public const string WalReceiverStatusInterval = "1s";
    public const string ReplicationPasswordSecret = "PGPANEL_REPLICATION_PASSWORD";
    public const string MonitorPasswordSecret = "PGPANEL_MONITOR_PASSWORD";

    /// <summary>The login role the panel's monitor uses: pg_monitor on 10+, SECURITY DEFINER views on 9.x.</summary>
    public const string MonitorRole = "pgpanel_monitor";
    public const string CanaryVariable = "PGPANEL_CANARY";
    public const string MarkerFile = "pgpanel.cluster";

    /// <summary>Seconds the verification waits for streaming and for the canary row.</summary>
    public const int VerifyTimeoutSeconds = 120;

    /// <summary>Free space a node needs at the least before anything is created.</summary>
    public const long MinimumFreeBytes = 256L * 1024 * 1024;
}
