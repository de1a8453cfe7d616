namespace PgPanel.Core.Cloud.Alibaba;

/// <summary>An instance as DescribeInstances reports it.</summary>
public sealed record EcsInstance(
    string InstanceId, string InstanceName, string Status, string? PrivateIp, string? PublicIp, string? EipAddress, string? EipAllocationId,
    IReadOnlyDictionary<string, string> Tags);
