namespace PgPanel.Core.Cloud.Alibaba;

/// <summary>An inbound rule of a security group.</summary>
public sealed record EcsIngressRule(string IpProtocol, string PortRange, string SourceCidrIp, string Policy, string Description = "")
{
    public bool Matches(EcsIngressRule other) =>
        string.Equals(IpProtocol, other.IpProtocol, StringComparison.OrdinalIgnoreCase) && PortRange == other.PortRange &&
        SourceCidrIp == other.SourceCidrIp && string.Equals(Policy, other.Policy, StringComparison.OrdinalIgnoreCase);
}
