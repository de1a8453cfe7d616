namespace PgPanel.Core.Cloud.Alibaba;

/// <summary>What RunInstances is asked for one node. Password is sent only to the API (never logged).</summary>
public sealed record EcsInstanceRequest(
    string InstanceName, string ImageId, string InstanceType, string ZoneId, string VSwitchId, string SecurityGroupId,
    string SystemDiskCategory, int InternetMaxBandwidthOut, string? KeyPairName, Security.Secret? Password, string ClientToken, IReadOnlyDictionary<string, string> Tags);
