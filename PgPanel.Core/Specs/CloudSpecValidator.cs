using System.Text.RegularExpressions;

namespace PgPanel.Core.Specs;

/// <summary>Validates the "cloud" section of a spec (Alibaba Cloud ECS); every value ends up in an API request.</summary>
public static partial class CloudSpecValidator
{
    public static readonly IReadOnlyList<string> DiskCategories = ["cloud_essd", "cloud_essd_entry", "cloud_auto", "cloud_ssd", "cloud_efficiency"];

    private const string PasswordSpecials = "()`~!@#$%^&*-_+=|{}[]:;'<>,.?/";

    public static void Validate(ClusterSpec spec, SpecValidationResult result)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(result);
        var cloud = spec.Cloud!;
        if (cloud.Provider != CloudSpec.Alibaba)
        {
            result.Add("cloud.provider", "The only cloud provider is 'alibaba'.");
        }

        if (!RegionRegex().IsMatch(cloud.RegionId ?? ""))
        {
            result.Add("cloud.regionId", "Use a region id such as cn-hangzhou or ap-southeast-1.");
        }

        if (!RegionRegex().IsMatch(cloud.ZoneId ?? "") || !(cloud.ZoneId ?? "").StartsWith((cloud.RegionId ?? "") + "-", StringComparison.Ordinal))
        {
            result.Add("cloud.zoneId", "Use a zone of the region, such as cn-hangzhou-h.");
        }

        if (!ResourceIdRegex("vsw").IsMatch(cloud.VSwitchId ?? ""))
        {
            result.Add("cloud.vSwitchId", "Use a vSwitch id (vsw-…).");
        }

        if (!ResourceIdRegex("sg").IsMatch(cloud.SecurityGroupId ?? ""))
        {
            result.Add("cloud.securityGroupId", "Use a security group id (sg-…).");
        }

        if (!InstanceTypeRegex().IsMatch(cloud.InstanceType ?? ""))
        {
            result.Add("cloud.instanceType", "Use an instance type such as ecs.g6.large.");
        }

        if (cloud.ImageId is not null)
        {
            if (!ImageIdRegex().IsMatch(cloud.ImageId))
            {
                result.Add("cloud.imageId", "Use an image id: letters, digits, '_', '.', '-'.");
            }
        }
        else if (cloud.Image is not { } image || !Enum.IsDefined(image))
        {
            result.Add("cloud.image", $"Choose one of {string.Join(", ", ExactEnumJsonConverter<CloudImage>.Names)}, or give an imageId.");
        }

        if (!DiskCategories.Contains(cloud.SystemDiskCategory ?? ""))
        {
            result.Add("cloud.systemDiskCategory", $"Choose one of {string.Join(", ", DiskCategories)}.");
        }

        if (cloud.EipBandwidth is < 1 or > 200)
        {
            result.Add("cloud.eipBandwidth", "An EIP bandwidth is 1 to 200 Mbit/s.");
        }

        if (!Enum.IsDefined(cloud.ConnectVia))
        {
            result.Add("cloud.connectVia", "Use 'private' (the panel is in the VPC), 'public' or 'eip'.");
        }
        else if (cloud.ConnectVia == CloudConnectVia.Eip && !cloud.UseEip)
        {
            result.Add("cloud.connectVia", "Connecting via the EIP needs useEip: true.");
        }

        if (cloud.InstancePassword is { } password && PasswordProblem(password.Reveal()) is { } problem)
        {
            result.Add("cloud.instancePassword", problem);
        }

        if (cloud.KeyPairName is not null && !KeyPairRegex().IsMatch(cloud.KeyPairName))
        {
            result.Add("cloud.keyPairName", "Use a key pair name: 2–128 characters, letters, digits, '_', '.', ':', '-', starting with a letter.");
        }

        if (cloud.AccessKeyId is not null && !AccessKeyIdRegex().IsMatch(cloud.AccessKeyId))
        {
            result.Add("cloud.accessKeyId", "An AccessKey ID is 8–64 letters and digits.");
        }

        if ((cloud.AccessKeyId is null) != (cloud.AccessKeySecret is null))
        {
            result.Add("cloud.accessKeySecret", "Give both the AccessKey ID and its secret, or neither (then the environment or ~/.aliyun/config.json is used).");
        }

        var nodes = new List<(string Path, NodeSpec Node)> { ("primary", spec.Primary) };
        nodes.AddRange((spec.Standbys ?? []).Select((n, i) => ($"standbys[{i}]", n)));
        foreach (var (path, node) in nodes.Where(n => n.Node is not null))
        {
            var connection = node.Connection ?? ConnectionSpec.Local;
            if (connection.User is not null && connection.User != "root")
            {
                result.Add($"{path}.connection.user", "A new ECS instance has only root; leave the user empty or use root.");
            }

            if (cloud.KeyPairName is not null && cloud.InstancePassword is null && connection.PrivateKey is null)
            {
                result.Add($"{path}.connection.privateKey", $"Give the private key of key pair {cloud.KeyPairName}, or an instance password.");
            }
        }
    }

    /// <summary>ECS's rule: 8–30 characters, at least three of upper case, lower case, digits, specials from its list.</summary>
    public static string? PasswordProblem(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (password.Length is < 8 or > 30 || password.Any(c => !char.IsAsciiLetterOrDigit(c) && !PasswordSpecials.Contains(c)))
        {
            return $"Use 8–30 characters: letters, digits and {PasswordSpecials}";
        }

        var classes = (password.Any(char.IsAsciiLetterUpper) ? 1 : 0) + (password.Any(char.IsAsciiLetterLower) ? 1 : 0) +
            (password.Any(char.IsAsciiDigit) ? 1 : 0) + (password.Any(PasswordSpecials.Contains) ? 1 : 0);
        return classes < 3 ? "Use at least three of: upper-case letters, lower-case letters, digits, special characters." : null;
    }

    /// <summary>A region id such as cn-hangzhou (the wizard's lookup checks it with the same rule as the spec).</summary>
    public static bool IsValidRegionId(string? regionId) => RegionRegex().IsMatch(regionId ?? "");

    private static Regex ResourceIdRegex(string prefix) => prefix == "vsw" ? VSwitchRegex() : SecurityGroupRegex();

    [GeneratedRegex("^[a-z]{2,}(-[a-z0-9]+){1,4}$")]
    private static partial Regex RegionRegex();

    [GeneratedRegex("^vsw-[a-z0-9]{1,40}$")]
    private static partial Regex VSwitchRegex();

    [GeneratedRegex("^sg-[a-z0-9]{1,40}$")]
    private static partial Regex SecurityGroupRegex();

    [GeneratedRegex("^ecs\\.[a-z0-9-]+\\.[a-z0-9-]+$")]
    private static partial Regex InstanceTypeRegex();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{1,127}$")]
    private static partial Regex ImageIdRegex();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_.:-]{1,127}$")]
    private static partial Regex KeyPairRegex();

    [GeneratedRegex("^[A-Za-z0-9]{8,64}$")]
    private static partial Regex AccessKeyIdRegex();
}
