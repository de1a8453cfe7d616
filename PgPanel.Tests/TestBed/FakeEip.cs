namespace PgPanel.Tests.TestBed;

/// <summary>An elastic IP the fake has allocated and not released (immutable snapshot); <see cref="Status"/> is <c>Available</c> or <c>InUse</c>.</summary>
public sealed record FakeEip(
    string AllocationId,
    string IpAddress,
    string Status,
    string? InstanceId,
    int Bandwidth,
    string InternetChargeType,
    string? ClientToken);
