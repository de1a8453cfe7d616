namespace PgPanel.Tests.TestBed;

/// <summary>
/// An ingress rule of a security group as DescribeSecurityGroupAttribute reports it (protocol upper case, policy
/// <c>Accept</c>/<c>Drop</c>). In <see cref="FakeAlibabaCloudOptions.ExistingRules"/> a null <see cref="SecurityGroupId"/>
/// means the options' group; in <see cref="FakeAlibabaCloud.Rules"/> it is always filled in.
/// </summary>
public sealed record FakeRule(
    string IpProtocol,
    string PortRange,
    string SourceCidrIp,
    string Policy = "Accept",
    string Description = "",
    string? SecurityGroupId = null);
