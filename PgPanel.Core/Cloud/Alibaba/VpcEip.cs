namespace PgPanel.Core.Cloud.Alibaba;

/// <summary>An elastic IP address: Available, or InUse by an instance.</summary>
public sealed record VpcEip(string AllocationId, string IpAddress, string Status, string? InstanceId);
