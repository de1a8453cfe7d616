namespace PgPanel.Core.Cloud.Alibaba;

public sealed record EcsSecurityGroup(string SecurityGroupId, string Name, string VpcId);
