namespace PgPanel.Core.Hosts;

/// <summary>What POST /api/hosts/probe answers: the facts the wizard shows before planning.</summary>
public sealed record HostProbeResult(
    string Os, string? PrettyName, IReadOnlyList<string> PostgresVersions, bool Systemd, string? HostKeyFingerprint,
    long? FreeBytes, bool CanBecomeRoot, string User, string? PrivilegeMode, bool PortTaken, IReadOnlyList<string> ExistingClusters,
    string? Selinux = null, bool Firewalld = false);
