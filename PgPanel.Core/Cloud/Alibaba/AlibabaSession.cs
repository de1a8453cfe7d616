using System.Globalization;
using System.Text.Json;

namespace PgPanel.Core.Cloud.Alibaba;

/// <summary>
/// The ECS and VPC actions PgPanel uses, for one AccessKey and one region, with typed answers. Every call goes to
/// <paramref name="trace"/> (the run's log) through <see cref="AlibabaClient"/>.
/// </summary>
public sealed class AlibabaSession(AlibabaClient client, AlibabaCredentials credentials, string regionId, Action<string>? trace = null)
{
    public string RegionId => regionId;

    public AlibabaCredentials Credentials => credentials;

    public async Task<IReadOnlyList<EcsRegion>> DescribeRegionsAsync(CancellationToken cancellationToken = default)
    {
        var root = await EcsAsync("DescribeRegions", new() { ["AcceptLanguage"] = "en-US" }, cancellationToken).ConfigureAwait(false);
        return Items(root, "Regions", "Region").Select(r => new EcsRegion(Text(r, "RegionId"), Text(r, "LocalName"))).ToList();
    }

    public async Task<IReadOnlyList<EcsZone>> DescribeZonesAsync(CancellationToken cancellationToken = default)
    {
        var root = await EcsAsync("DescribeZones", new() { ["RegionId"] = regionId, ["AcceptLanguage"] = "en-US" }, cancellationToken).ConfigureAwait(false);
        return Items(root, "Zones", "Zone").Select(z => new EcsZone(Text(z, "ZoneId"), Text(z, "LocalName"))).ToList();
    }

    public async Task<IReadOnlyList<VpcSwitch>> DescribeVSwitchesAsync(string? zoneId = null, string? vSwitchId = null, CancellationToken cancellationToken = default)
    {
        var parameters = new Dictionary<string, string> { ["RegionId"] = regionId, ["PageSize"] = "50" };
        Optional(parameters, "ZoneId", zoneId);
        Optional(parameters, "VSwitchId", vSwitchId);
        var root = await client.CallAsync(AlibabaApi.Vpc, "DescribeVSwitches", regionId, parameters, credentials, trace, cancellationToken).ConfigureAwait(false);
        return Items(root, "VSwitches", "VSwitch")
            .Select(v => new VpcSwitch(Text(v, "VSwitchId"), Text(v, "VpcId"), Text(v, "ZoneId"), Text(v, "CidrBlock"), Text(v, "VSwitchName"))).ToList();
    }

    public async Task<IReadOnlyList<EcsSecurityGroup>> DescribeSecurityGroupsAsync(string? vpcId = null, CancellationToken cancellationToken = default)
    {
        var parameters = new Dictionary<string, string> { ["RegionId"] = regionId, ["PageSize"] = "50" };
        Optional(parameters, "VpcId", vpcId);
        var root = await EcsAsync("DescribeSecurityGroups", parameters, cancellationToken).ConfigureAwait(false);
        return Items(root, "SecurityGroups", "SecurityGroup")
            .Select(g => new EcsSecurityGroup(Text(g, "SecurityGroupId"), Text(g, "SecurityGroupName"), Text(g, "VpcId"))).ToList();
    }

    /// <summary>Public x86_64 Linux images whose name starts with <paramref name="namePrefix"/>, newest first.</summary>
    public async Task<IReadOnlyList<EcsImage>> DescribeImagesAsync(string? namePrefix = null, string? imageId = null, CancellationToken cancellationToken = default)
    {
        var parameters = new Dictionary<string, string> { ["RegionId"] = regionId, ["PageSize"] = "50" };
        if (imageId is null)
        {
            parameters["ImageOwnerAlias"] = "system";
            parameters["OSType"] = "linux";
            parameters["Architecture"] = "x86_64";
        }

        Optional(parameters, "ImageName", namePrefix is null ? null : namePrefix + "*");
        Optional(parameters, "ImageId", imageId);
        var root = await EcsAsync("DescribeImages", parameters, cancellationToken).ConfigureAwait(false);
        return Items(root, "Images", "Image")
            .Select(i => new EcsImage(Text(i, "ImageId"), Text(i, "ImageName"), Text(i, "OSNameEn") is { Length: > 0 } en ? en : Text(i, "OSName"), Text(i, "CreationTime")))
            .OrderByDescending(i => i.CreationTime, StringComparer.Ordinal).ToList();
    }

    public async Task<IReadOnlyList<EcsIngressRule>> DescribeIngressRulesAsync(string securityGroupId, CancellationToken cancellationToken = default)
    {
        var root = await EcsAsync("DescribeSecurityGroupAttribute",
            new() { ["RegionId"] = regionId, ["SecurityGroupId"] = securityGroupId, ["Direction"] = "ingress" }, cancellationToken).ConfigureAwait(false);
        return Items(root, "Permissions", "Permission")
            .Where(p => !p.TryGetProperty("Direction", out var d) || d.GetString() is null or "ingress")
            .Select(p => new EcsIngressRule(Text(p, "IpProtocol"), Text(p, "PortRange"), Text(p, "SourceCidrIp"), Text(p, "Policy"), Text(p, "Description")))
            .ToList();
    }

    public Task AuthorizeIngressAsync(string securityGroupId, EcsIngressRule rule, CancellationToken cancellationToken = default) =>
        EcsAsync("AuthorizeSecurityGroup", RuleParameters(securityGroupId, rule), cancellationToken);

    public Task RevokeIngressAsync(string securityGroupId, EcsIngressRule rule, CancellationToken cancellationToken = default) =>
        EcsAsync("RevokeSecurityGroup", RuleParameters(securityGroupId, rule), cancellationToken);

    /// <summary>Checks (DryRun) that RunInstances would be allowed and within quota; throws the API's error otherwise.</summary>
    public Task DryRunInstanceAsync(EcsInstanceRequest request, CancellationToken cancellationToken = default) =>
        client.DryRunAsync(AlibabaApi.Ecs, "RunInstances", regionId, RunParameters(request, dryRun: true), credentials, trace, cancellationToken);

    /// <summary>Creates one instance. The ClientToken makes a retried or repeated call return the same instance.</summary>
    public async Task<string> RunInstanceAsync(EcsInstanceRequest request, CancellationToken cancellationToken = default)
    {
        var root = await EcsAsync("RunInstances", RunParameters(request, dryRun: false), cancellationToken).ConfigureAwait(false);
        var ids = root.TryGetProperty("InstanceIdSets", out var sets) && sets.TryGetProperty("InstanceIdSet", out var set)
            ? set.EnumerateArray().Select(e => e.GetString()!).ToList() : [];
        return ids.Count == 1 ? ids[0] : throw new AlibabaApiException("InvalidResponse", $"RunInstances returned {ids.Count} instance ids for Amount=1.", null, 200, "RunInstances");
    }

    public async Task<IReadOnlyList<EcsInstance>> DescribeInstancesAsync(IReadOnlyCollection<string> instanceIds, CancellationToken cancellationToken = default)
    {
        var root = await EcsAsync("DescribeInstances", new()
        {
            ["RegionId"] = regionId,
            ["InstanceIds"] = JsonSerializer.Serialize(instanceIds),
            ["PageSize"] = "100",
        }, cancellationToken).ConfigureAwait(false);
        return Items(root, "Instances", "Instance").Select(ReadInstance).ToList();
    }

    public Task DeleteInstanceAsync(string instanceId, CancellationToken cancellationToken = default) =>
        EcsAsync("DeleteInstance", new() { ["InstanceId"] = instanceId, ["Force"] = "true" }, cancellationToken);

    public async Task<VpcEip> AllocateEipAsync(string clientToken, int bandwidthMbps, CancellationToken cancellationToken = default)
    {
        var root = await VpcAsync("AllocateEipAddress", new()
        {
            ["RegionId"] = regionId,
            ["Bandwidth"] = bandwidthMbps.ToString(CultureInfo.InvariantCulture),
            ["InternetChargeType"] = "PayByTraffic",
            ["ClientToken"] = clientToken,
        }, cancellationToken).ConfigureAwait(false);
        return new VpcEip(Text(root, "AllocationId"), Text(root, "EipAddress"), "Available", null);
    }

    public Task AssociateEipAsync(string allocationId, string instanceId, CancellationToken cancellationToken = default) =>
        VpcAsync("AssociateEipAddress", new() { ["RegionId"] = regionId, ["AllocationId"] = allocationId, ["InstanceId"] = instanceId }, cancellationToken);

    public Task UnassociateEipAsync(string allocationId, string instanceId, CancellationToken cancellationToken = default) =>
        VpcAsync("UnassociateEipAddress", new() { ["RegionId"] = regionId, ["AllocationId"] = allocationId, ["InstanceId"] = instanceId }, cancellationToken);

    public Task ReleaseEipAsync(string allocationId, CancellationToken cancellationToken = default) =>
        VpcAsync("ReleaseEipAddress", new() { ["RegionId"] = regionId, ["AllocationId"] = allocationId }, cancellationToken);

    public async Task<VpcEip?> DescribeEipAsync(string allocationId, CancellationToken cancellationToken = default)
    {
        var root = await VpcAsync("DescribeEipAddresses", new() { ["RegionId"] = regionId, ["AllocationId"] = allocationId }, cancellationToken).ConfigureAwait(false);
        return Items(root, "EipAddresses", "EipAddress")
            .Select(e => new VpcEip(Text(e, "AllocationId"), Text(e, "IpAddress"), Text(e, "Status"), Text(e, "InstanceId") is { Length: > 0 } i ? i : null))
            .FirstOrDefault();
    }

    private Dictionary<string, string> RunParameters(EcsInstanceRequest request, bool dryRun)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["RegionId"] = regionId,
            ["ZoneId"] = request.ZoneId,
            ["ImageId"] = request.ImageId,
            ["InstanceType"] = request.InstanceType,
            ["SecurityGroupId"] = request.SecurityGroupId,
            ["VSwitchId"] = request.VSwitchId,
            ["InstanceName"] = request.InstanceName,
            ["HostName"] = request.InstanceName.Replace('_', '-'), // a host name has no underscore
            ["InstanceChargeType"] = "PostPaid",
            ["InternetMaxBandwidthOut"] = request.InternetMaxBandwidthOut.ToString(CultureInfo.InvariantCulture),
            ["SystemDisk.Category"] = request.SystemDiskCategory,
            ["Amount"] = "1",
        };
        if (!dryRun)
        {
            parameters["ClientToken"] = request.ClientToken;
        }

        Optional(parameters, "KeyPairName", request.KeyPairName);
        if (request.Password is { } password)
        {
            parameters["Password"] = password.Reveal();
        }

        var n = 1;
        foreach (var (key, value) in request.Tags)
        {
            parameters[$"Tag.{n}.Key"] = key;
            parameters[$"Tag.{n}.Value"] = value;
            n++;
        }

        return parameters;
    }

    private Dictionary<string, string> RuleParameters(string securityGroupId, EcsIngressRule rule) => new(StringComparer.Ordinal)
    {
        ["RegionId"] = regionId,
        ["SecurityGroupId"] = securityGroupId,
        ["Permissions.1.IpProtocol"] = rule.IpProtocol,
        ["Permissions.1.PortRange"] = rule.PortRange,
        ["Permissions.1.SourceCidrIp"] = rule.SourceCidrIp,
        ["Permissions.1.Policy"] = rule.Policy,
        ["Permissions.1.Description"] = rule.Description,
    };

    private static EcsInstance ReadInstance(JsonElement i)
    {
        static string? First(JsonElement e, params string[] path)
        {
            foreach (var p in path)
            {
                if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(p, out e))
                {
                    return null;
                }
            }

            return e.ValueKind switch
            {
                JsonValueKind.Array => e.EnumerateArray().Select(x => x.GetString()).FirstOrDefault(s => !string.IsNullOrEmpty(s)),
                JsonValueKind.String => e.GetString() is { Length: > 0 } s ? s : null,
                _ => null,
            };
        }

        var tags = Items(i, "Tags", "Tag").ToDictionary(t => Text(t, "TagKey"), t => Text(t, "TagValue"), StringComparer.Ordinal);
        return new EcsInstance(Text(i, "InstanceId"), Text(i, "InstanceName"), Text(i, "Status"),
            First(i, "VpcAttributes", "PrivateIpAddress", "IpAddress"), First(i, "PublicIpAddress", "IpAddress"),
            First(i, "EipAddress", "IpAddress"), First(i, "EipAddress", "AllocationId"), tags);
    }

    private Task<JsonElement> EcsAsync(string action, Dictionary<string, string> parameters, CancellationToken cancellationToken) =>
        client.CallAsync(AlibabaApi.Ecs, action, regionId, parameters, credentials, trace, cancellationToken);

    private Task<JsonElement> VpcAsync(string action, Dictionary<string, string> parameters, CancellationToken cancellationToken) =>
        client.CallAsync(AlibabaApi.Vpc, action, regionId, parameters, credentials, trace, cancellationToken);

    private static void Optional(Dictionary<string, string> parameters, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            parameters[name] = value;
        }
    }

    private static IEnumerable<JsonElement> Items(JsonElement root, string outer, string inner) =>
        root.TryGetProperty(outer, out var o) && o.ValueKind == JsonValueKind.Object && o.TryGetProperty(inner, out var a) && a.ValueKind == JsonValueKind.Array
            ? a.EnumerateArray() : [];

    private static string Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString() ?? "",
            JsonValueKind.Number => v.GetRawText(),
            _ => "",
        } : "";
}
