using System.Text.Json.Serialization;
using PgPanel.Core.Security;

namespace PgPanel.Core.Specs;

/// <summary>
/// New servers on Alibaba Cloud ECS: PgPanel creates one instance per node, opens 5432 and then provisions them over
/// SSH. Nodes then need no "host": it is filled from the instances (<see cref="ConnectVia"/>).
/// </summary>
public sealed record CloudSpec
{
    public const string Alibaba = "alibaba";

    public string Provider { get; init; } = Alibaba;

    public string RegionId { get; init; } = "";

    public string ZoneId { get; init; } = "";

    public string VSwitchId { get; init; } = "";

    public string SecurityGroupId { get; init; } = "";

    /// <summary>The seed's instance type.</summary>
    public string InstanceType { get; init; } = "ecs.g6.large";

    /// <summary>"centos-7" (as in the seed) or "alinux-3": the newest public image of that line; ignored when <see cref="ImageId"/> is set.</summary>
    [JsonConverter(typeof(ExactEnumJsonConverter<CloudImage>))]
    public CloudImage? Image { get; init; } = CloudImage.Centos7;

    public string? ImageId { get; init; }

    public string SystemDiskCategory { get; init; } = "cloud_essd";

    /// <summary>Allocate an elastic IP per instance and associate it (the seed recommends one).</summary>
    public bool UseEip { get; init; } = true;

    /// <summary>EIP bandwidth in Mbit/s (pay by traffic).</summary>
    public int EipBandwidth { get; init; } = 5;

    /// <summary>Which address the panel dials: "private" (the panel is in the VPC), "public" or "eip".</summary>
    [JsonConverter(typeof(ExactEnumJsonConverter<CloudConnectVia>))]
    public CloudConnectVia ConnectVia { get; init; } = CloudConnectVia.Private;

    /// <summary>Root password of the instances; null with no key pair: PgPanel generates one and keeps it sealed.</summary>
    public Secret? InstancePassword { get; init; }

    /// <summary>An ECS key pair for root; the nodes' connection then carries the matching private key.</summary>
    public string? KeyPairName { get; init; }

    /// <summary>An AccessKey entered in the panel (sealed with the cluster); null: the environment or ~/.aliyun/config.json.</summary>
    public string? AccessKeyId { get; init; }

    public Secret? AccessKeySecret { get; init; }

    public Secret? SecurityToken { get; init; }
}
