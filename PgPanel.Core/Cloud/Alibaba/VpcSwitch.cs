namespace PgPanel.Core.Cloud.Alibaba;

/// <summary>A vSwitch (subnet) of a VPC in one zone.</summary>
public sealed record VpcSwitch(string VSwitchId, string VpcId, string ZoneId, string CidrBlock, string Name);
