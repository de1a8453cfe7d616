namespace PgPanel.Tests.TestBed;

/// <summary>
/// What the <see cref="FakeAlibabaCloud"/> knows: the one accepted key pair (and STS token), the private addresses new
/// instances take in order, the EIP pool, and the region's fixed network (one VPC, vSwitch and security group).
/// </summary>
public sealed record FakeAlibabaCloudOptions(string AccessKeyId, string AccessKeySecret, IReadOnlyList<string> PrivateIps)
{
    /// <summary>When set, every request must carry this STS token (V3 header <c>x-acs-security-token</c>, signed; V1 <c>SecurityToken</c>).</summary>
    public string? SecurityToken { get; init; }

    /// <summary>
    /// Private addresses by image: an instance of an image whose id starts with a key takes the next address of that
    /// pool (so a centos_7 instance can be an RPM test host), any other the next of <see cref="PrivateIps"/>.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> PrivateIpsByImage { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    public IReadOnlyList<string> EipAddresses { get; init; } = [.. Enumerable.Range(201, 10).Select(i => $"10.77.77.{i}")];

    /// <summary>How many DescribeInstances answers report a new instance as <c>Pending</c> before one <c>Starting</c>, then <c>Running</c>.</summary>
    public int PendingDescribes { get; init; } = 2;

    public string RegionId { get; init; } = "cn-hangzhou";

    public string ZoneId { get; init; } = "cn-hangzhou-h";

    public string VpcId { get; init; } = "vpc-fake01";

    public string VSwitchId { get; init; } = "vsw-fake01";

    public string VSwitchCidr { get; init; } = "10.77.77.0/24";

    public string SecurityGroupId { get; init; } = "sg-fake01";

    /// <summary>Ingress rules present before the test; a rule without <see cref="FakeRule.SecurityGroupId"/> belongs to <see cref="SecurityGroupId"/>.</summary>
    public IReadOnlyList<FakeRule> ExistingRules { get; init; } = [new FakeRule("TCP", "22/22", "0.0.0.0/0", "Accept", "System created rule.")];
}
