namespace PgPanel.Tests.TestBed;

/// <summary>
/// An ECS instance the fake holds (an immutable snapshot). <see cref="Status"/> is the status the last DescribeInstances
/// reported (<c>Pending</c> before any).
/// </summary>
public sealed record FakeInstance(
    string InstanceId,
    string InstanceName,
    string Status,
    string PrivateIp,
    string? ClientToken,
    string ImageId,
    string InstanceType,
    IReadOnlyDictionary<string, string> Tags,
    string? KeyPairName,
    bool HasPassword,
    string? EipAllocationId,
    string ZoneId,
    string VSwitchId,
    string SecurityGroupId,
    int InternetMaxBandwidthOut,
    string SystemDiskCategory,
    string InstanceChargeType);
