using System.Collections.Frozen;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PgPanel.Tests.TestBed.FakeCloud;

/// <summary>The ECS 2014-05-26 actions.</summary>
internal sealed partial class FakeCloudWorld
{
    private static readonly (string ImageId, string OSName, string OSNameEn, string Platform, string CreationTime)[] SystemImages =
    [
        ("centos_7_9_x64_20G_alibase_20240628.vhd", "CentOS  7.9 64位", "CentOS  7.9 64 bit", "CentOS", "2024-06-28T07:00:00Z"),
        ("centos_7_8_x64_20G_alibase_20200914.vhd", "CentOS  7.8 64位", "CentOS  7.8 64 bit", "CentOS", "2020-09-14T07:00:00Z"),
        ("aliyun_3_x64_20G_alibase_20240819.vhd", "Alibaba Cloud Linux  3.2104 LTS 64位", "Alibaba Cloud Linux  3.2104 LTS 64 bit", "Aliyun", "2024-08-19T07:00:00Z"),
        ("ubuntu_22_04_x64_20G_alibase_20240710.vhd", "Ubuntu  22.04 64位", "Ubuntu  22.04 64 bit", "Ubuntu", "2024-07-10T07:00:00Z"),
    ];

    private static readonly string[] DiskCategories = ["cloud", "cloud_efficiency", "cloud_ssd", "cloud_essd", "cloud_auto", "cloud_essd_entry"];
    private static readonly string[] PasswordSpecials = [.. "()`~!@#$%^&*-_+=|{}[]:;'<>,.?/".Select(c => c.ToString())];

    private JsonObject DescribeRegions(FakeCloudParameters parameters) => new()
    {
        ["Regions"] = Wrap("Region", _regions.Select(r => (JsonNode?)new JsonObject
        {
            ["RegionId"] = r.Id,
            ["LocalName"] = r.LocalName,
            ["RegionEndpoint"] = $"ecs.{r.Id}.aliyuncs.com",
            ["Status"] = "available",
        })),
    };

    private JsonObject DescribeZones(FakeCloudParameters parameters)
    {
        var region = Region(parameters);
        return new JsonObject
        {
            ["Zones"] = Wrap("Zone", (IsHome(region) ? _zones : []).Select(z => (JsonNode?)new JsonObject { ["ZoneId"] = z.Id, ["LocalName"] = z.LocalName })),
        };
    }

    private JsonObject DescribeImages(FakeCloudParameters parameters)
    {
        Region(parameters);
        var alias = OneOf(parameters, "ImageOwnerAlias", "InvalidImageOwnerAlias.ValueNotSupported", "system", "self", "others", "marketplace");
        var osType = OneOf(parameters, "OSType", "InvalidOSType.ValueNotSupported", "linux", "windows");
        var architecture = OneOf(parameters, "Architecture", "InvalidArchitecture.ValueNotSupported", "i386", "x86_64", "arm64");
        var imageIds = parameters.Optional("ImageId")?.Split(',');
        var imageName = parameters.Optional("ImageName");
        var images = SystemImages
            .Where(i => alias is null or "system")
            .Where(i => osType is null or "linux")
            .Where(i => architecture is null or "x86_64")
            .Where(i => imageIds is null || imageIds.Contains(i.ImageId, StringComparer.Ordinal))
            .Where(i => imageName is null
                || (imageName.EndsWith('*') ? i.ImageId.StartsWith(imageName[..^1], StringComparison.Ordinal) : i.ImageId == imageName))
            .OrderByDescending(i => i.CreationTime, StringComparer.Ordinal)
            .ToList();
        var body = Page(parameters, "Images", "Image", images, i => new JsonObject
        {
            ["ImageId"] = i.ImageId,
            ["ImageName"] = i.ImageId,
            ["ImageOwnerAlias"] = "system",
            ["OSName"] = i.OSName,
            ["OSNameEn"] = i.OSNameEn,
            ["OSType"] = "linux",
            ["Platform"] = i.Platform,
            ["Architecture"] = "x86_64",
            ["Size"] = 20,
            ["Status"] = "Available",
            ["CreationTime"] = i.CreationTime,
        });
        body["RegionId"] = _options.RegionId;
        return body;
    }

    private JsonObject DescribeSecurityGroups(FakeCloudParameters parameters)
    {
        var region = Region(parameters);
        var vpcId = parameters.Optional("VpcId");
        var ids = parameters.JsonStrings("SecurityGroupIds", 100);
        var id = parameters.Optional("SecurityGroupId");
        var groups = _securityGroups
            .Where(g => IsHome(region))
            .Where(g => vpcId is null || g.VpcId == vpcId)
            .Where(g => ids is null || ids.Contains(g.Id))
            .Where(g => id is null || g.Id == id)
            .ToList();
        var body = Page(parameters, "SecurityGroups", "SecurityGroup", groups, g => new JsonObject
        {
            ["SecurityGroupId"] = g.Id,
            ["SecurityGroupName"] = g.Name,
            ["VpcId"] = g.VpcId,
            ["Description"] = g.Description,
            ["SecurityGroupType"] = "normal",
        });
        body["RegionId"] = region;
        return body;
    }

    private JsonObject DescribeSecurityGroupAttribute(FakeCloudParameters parameters)
    {
        var region = Region(parameters);
        var group = SecurityGroup(region, parameters.Required("SecurityGroupId"));
        var direction = OneOf(parameters, "Direction", "InvalidParameter", "ingress", "egress", "all") ?? "all";
        var permissions = direction == "egress" ? [] : _rules.Where(r => r.SecurityGroupId == group.Id).ToList();
        return new JsonObject
        {
            ["RegionId"] = region,
            ["SecurityGroupId"] = group.Id,
            ["SecurityGroupName"] = group.Name,
            ["VpcId"] = group.VpcId,
            ["Description"] = group.Description,
            ["InnerAccessPolicy"] = "Accept",
            ["Permissions"] = Wrap("Permission", permissions.Select(r => (JsonNode?)new JsonObject
            {
                ["IpProtocol"] = r.IpProtocol,
                ["PortRange"] = r.PortRange,
                ["SourceCidrIp"] = r.SourceCidrIp,
                ["Policy"] = r.Policy,
                ["Direction"] = "ingress",
                ["Description"] = r.Description,
                ["Priority"] = 1,
                ["NicType"] = "intranet",
            })),
        };
    }

    private JsonObject AuthorizeSecurityGroup(FakeCloudParameters parameters)
    {
        foreach (var rule in Permissions(parameters))
        {
            if (!_rules.Any(r => SameRule(r, rule)))
            {
                _rules.Add(rule);
            }
        }

        return [];
    }

    private JsonObject RevokeSecurityGroup(FakeCloudParameters parameters)
    {
        foreach (var rule in Permissions(parameters))
        {
            _rules.RemoveAll(r => SameRule(r, rule));
        }

        return [];
    }

    private JsonObject RunInstances(FakeCloudParameters parameters)
    {
        var region = Region(parameters);
        var imageId = parameters.Required("ImageId");
        var instanceType = parameters.Required("InstanceType");
        var securityGroupId = parameters.Required("SecurityGroupId");
        var vSwitchId = parameters.Required("VSwitchId");
        var name = parameters.Optional("InstanceName");
        var password = parameters.Optional("Password");
        var keyPairName = parameters.Optional("KeyPairName");
        var bandwidthOut = parameters.Int("InternetMaxBandwidthOut", 0, 0, 100);
        var amount = parameters.Int("Amount", 1, 1, 100);
        var diskCategory = OneOf(parameters, "SystemDisk.Category", "InvalidSystemDiskCategory.ValueNotSupported", DiskCategories) ?? "cloud_efficiency";
        var chargeType = OneOf(parameters, "InstanceChargeType", "InvalidInstanceChargeType.ValueNotSupported", "PrePaid", "PostPaid") ?? "PostPaid";
        var zoneId = parameters.Optional("ZoneId");
        var clientToken = ClientToken(parameters);
        var dryRun = parameters.Bool("DryRun");
        var tags = Tags(parameters);

        if (!SystemImages.Any(i => i.ImageId == imageId))
        {
            throw new FakeCloudException(400, "InvalidImageId.NotFound", $"The specified ImageId \"{imageId}\" does not exist.");
        }

        if (!Regex.IsMatch(instanceType, @"^ecs\.[a-z0-9-]+\.[a-z0-9]+$"))
        {
            throw new FakeCloudException(400, "InvalidInstanceType.ValueNotSupported", $"The specified InstanceType \"{instanceType}\" is not valid.");
        }

        var vSwitch = _vSwitches.Where(v => IsHome(region) && v.Id == vSwitchId).Select(v => (v.Id, v.VpcId, v.ZoneId)).FirstOrDefault();
        if (vSwitch.Id is null)
        {
            throw new FakeCloudException(404, "InvalidVSwitchId.NotFound", $"The specified VSwitchId \"{vSwitchId}\" does not exist.");
        }

        var group = SecurityGroup(region, securityGroupId);
        if (group.VpcId != vSwitch.VpcId)
        {
            throw new FakeCloudException(400, "InvalidSecurityGroupId.NotBelongToVpc",
                $"The specified security group {group.Id} (VPC {group.VpcId}) and vSwitch {vSwitch.Id} (VPC {vSwitch.VpcId}) are not in the same VPC.");
        }

        if (zoneId is not null && zoneId != vSwitch.ZoneId)
        {
            throw new FakeCloudException(400, "InvalidParameter.Mismatch", $"The specified ZoneId \"{zoneId}\" is not the zone of vSwitch {vSwitch.Id} ({vSwitch.ZoneId}).");
        }

        if (name is not null && (!Regex.IsMatch(name, @"^\p{L}[\p{L}\p{N}:_.\-]{1,127}$") || name.StartsWith("http", StringComparison.OrdinalIgnoreCase)))
        {
            throw new FakeCloudException(400, "InvalidInstanceName.Malformed",
                $"The specified InstanceName \"{name}\" is not valid: 2 to 128 characters, starting with a letter; letters, digits, ':', '_', '.', '-'.");
        }

        if (password is not null && !IsValidPassword(password))
        {
            throw new FakeCloudException(400, "InvalidPassword.Malformed",
                "The specified parameter \"Password\" is not valid: 8 to 30 characters with at least three of upper case, lower case, digits and ()`~!@#$%^&*-_+=|{}[]:;'<>,.?/.");
        }

        var fingerprint = parameters.Fingerprint();
        if (clientToken is not null && _runTokens.TryGetValue(clientToken, out var earlier))
        {
            if (earlier.Fingerprint != fingerprint)
            {
                throw IdempotentParameterMismatch();
            }

            return dryRun ? throw DryRunOperation() : RunInstancesAnswer(earlier.InstanceIds);
        }

        if (dryRun)
        {
            throw DryRunOperation();
        }

        var (poolName, pool) = _options.PrivateIpsByImage.Where(p => imageId.StartsWith(p.Key, StringComparison.Ordinal))
            .Select(p => (p.Key, p.Value)).FirstOrDefault(("", _options.PrivateIps));
        var next = _nextPrivateIp.GetValueOrDefault(poolName);
        if (next + amount > pool.Count)
        {
            throw new FakeCloudException(403, "QuotaExceed.ElasticQuota",
                $"The number of instances exceeds the quota: {pool.Count - next} more can be created, {amount} requested.");
        }

        var ids = new string[amount];
        for (var i = 0; i < amount; i++)
        {
            ids[i] = $"i-fake{++_instanceNumber:D6}";
            _instances.Add(new FakeInstance(
                ids[i], name ?? ids[i], "Pending", pool[next++], clientToken, imageId, instanceType, tags, keyPairName,
                password is not null, null, vSwitch.ZoneId, vSwitch.Id, group.Id, bandwidthOut, diskCategory, chargeType));
            _describes[ids[i]] = 0;
        }

        _nextPrivateIp[poolName] = next;

        if (clientToken is not null)
        {
            _runTokens[clientToken] = (fingerprint, ids);
        }

        return RunInstancesAnswer(ids);
    }

    private JsonObject DescribeInstances(FakeCloudParameters parameters)
    {
        var region = Region(parameters);
        var ids = parameters.JsonStrings("InstanceIds", 100);
        var name = parameters.Optional("InstanceName");
        var matching = _instances
            .Where(i => IsHome(region))
            .Where(i => ids is null || ids.Contains(i.InstanceId))
            .Where(i => name is null || i.InstanceName == name)
            .ToList();
        var body = Page(parameters, "Instances", "Instance", matching, instance =>
        {
            var describes = ++_describes[instance.InstanceId];
            var status = describes <= _options.PendingDescribes ? "Pending" : describes == _options.PendingDescribes + 1 ? "Starting" : "Running";
            var updated = instance with { Status = status };
            _instances[_instances.FindIndex(i => i.InstanceId == instance.InstanceId)] = updated;
            return InstanceJson(updated);
        });
        return body;
    }

    private JsonObject DeleteInstance(FakeCloudParameters parameters)
    {
        Region(parameters, required: false);
        var instance = Instance(parameters.Required("InstanceId"));
        if (instance.Status is "Running" or "Starting" && !parameters.Bool("Force"))
        {
            throw new FakeCloudException(403, "IncorrectInstanceStatus",
                $"The current status of the resource does not support this operation: {instance.InstanceId} is {instance.Status}; stop it first or pass Force=true.");
        }

        if (instance.EipAllocationId is { } allocationId)
        {
            var index = _eips.FindIndex(e => e.AllocationId == allocationId);
            _eips[index] = _eips[index] with { Status = "Available", InstanceId = null };
        }

        _instances.RemoveAll(i => i.InstanceId == instance.InstanceId);
        return [];
    }

    private JsonObject InstanceJson(FakeInstance instance)
    {
        var eip = instance.EipAllocationId is { } allocationId ? _eips.First(e => e.AllocationId == allocationId) : null;
        return new JsonObject
        {
            ["InstanceId"] = instance.InstanceId,
            ["InstanceName"] = instance.InstanceName,
            ["Status"] = instance.Status,
            ["RegionId"] = _options.RegionId,
            ["ZoneId"] = instance.ZoneId,
            ["InstanceType"] = instance.InstanceType,
            ["ImageId"] = instance.ImageId,
            ["OSType"] = "linux",
            ["InstanceNetworkType"] = "vpc",
            ["InstanceChargeType"] = instance.InstanceChargeType,
            ["InternetMaxBandwidthOut"] = instance.InternetMaxBandwidthOut,
            ["KeyPairName"] = instance.KeyPairName ?? "",
            ["SecurityGroupIds"] = Wrap("SecurityGroupId", [instance.SecurityGroupId]),
            ["VpcAttributes"] = new JsonObject
            {
                ["VpcId"] = _vSwitches.First(v => v.Id == instance.VSwitchId).VpcId,
                ["VSwitchId"] = instance.VSwitchId,
                ["PrivateIpAddress"] = Wrap("IpAddress", [instance.PrivateIp]),
                ["NatIpAddress"] = "",
            },
            ["PublicIpAddress"] = Wrap("IpAddress", Array.Empty<string>()),
            ["EipAddress"] = new JsonObject
            {
                ["AllocationId"] = eip?.AllocationId ?? "",
                ["IpAddress"] = eip?.IpAddress ?? "",
                ["Bandwidth"] = eip?.Bandwidth ?? 0,
                ["InternetChargeType"] = eip?.InternetChargeType ?? "",
            },
            ["Tags"] = Wrap("Tag", instance.Tags.Select(t => (JsonNode?)new JsonObject { ["TagKey"] = t.Key, ["TagValue"] = t.Value })),
        };
    }

    private static JsonObject RunInstancesAnswer(string[] instanceIds) => new() { ["InstanceIdSets"] = Wrap("InstanceIdSet", instanceIds) };

    private static FakeCloudException DryRunOperation() =>
        new(400, "DryRunOperation", "Request validation has been passed with DryRun flag set.");

    private static FakeCloudException IdempotentParameterMismatch() =>
        new(400, "IdempotentParameterMismatch", "Request uses a client token in a previous request but is not identical to that request.");

    private (string Id, string Name, string VpcId, string Description) SecurityGroup(string region, string id)
    {
        var group = _securityGroups.FirstOrDefault(g => IsHome(region) && g.Id == id);
        return group.Id is not null
            ? group
            : throw new FakeCloudException(404, "InvalidSecurityGroupId.NotFound", $"The specified SecurityGroupId \"{id}\" does not exist.");
    }

    private FakeInstance Instance(string id) =>
        _instances.FirstOrDefault(i => i.InstanceId == id)
        ?? throw new FakeCloudException(404, "InvalidInstanceId.NotFound", $"The specified InstanceId \"{id}\" does not exist.");

    /// <summary>An optional parameter that must be one of <paramref name="allowed"/> (returned as the allowed spelling).</summary>
    private static string? OneOf(FakeCloudParameters parameters, string name, string code, params string[] allowed)
    {
        if (parameters.Optional(name) is not { } value)
        {
            return null;
        }

        return allowed.FirstOrDefault(a => string.Equals(a, value, StringComparison.OrdinalIgnoreCase))
            ?? throw new FakeCloudException(400, code, $"The specified parameter \"{name}\" is not valid: \"{value}\" is not one of {string.Join(", ", allowed)}.");
    }

    private static string? ClientToken(FakeCloudParameters parameters)
    {
        var token = parameters.Optional("ClientToken");
        return token is null || (token.Length <= 64 && token.All(char.IsAscii))
            ? token
            : throw FakeCloudException.InvalidParameter("ClientToken", "at most 64 ASCII characters.");
    }

    private static FrozenDictionary<string, string> Tags(FakeCloudParameters parameters)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        var numbers = parameters.Values.Keys
            .Select(k => Regex.Match(k, @"^Tag\.(\d+)\.(Key|Value)$"))
            .Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))
            .Distinct()
            .Order();
        foreach (var n in numbers)
        {
            if (n is < 1 or > 20)
            {
                throw FakeCloudException.InvalidParameter($"Tag.{n}.Key", "N must be from 1 to 20.");
            }

            var key = parameters.Required($"Tag.{n}.Key");
            if (key.Length > 128 || key.StartsWith("aliyun", StringComparison.OrdinalIgnoreCase) || key.StartsWith("acs:", StringComparison.OrdinalIgnoreCase))
            {
                throw new FakeCloudException(400, "InvalidTagKey.Malformed", $"The specified Tag.{n}.Key \"{key}\" is not valid.");
            }

            tags[key] = parameters.Optional($"Tag.{n}.Value") ?? "";
        }

        return tags.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static bool IsValidPassword(string password)
    {
        var classes = new[]
        {
            password.Any(char.IsAsciiLetterUpper),
            password.Any(char.IsAsciiLetterLower),
            password.Any(char.IsAsciiDigit),
            password.Any(c => PasswordSpecials.Contains(c.ToString())),
        };
        return password.Length is >= 8 and <= 30
            && password[0] != '/'
            && password.All(c => char.IsAsciiLetterOrDigit(c) || PasswordSpecials.Contains(c.ToString()))
            && classes.Count(c => c) >= 3;
    }

    /// <summary>The rules of an Authorize/RevokeSecurityGroup request: <c>Permissions.N.*</c>, or the legacy flat parameters.</summary>
    private List<FakeRule> Permissions(FakeCloudParameters parameters)
    {
        var region = Region(parameters);
        var group = SecurityGroup(region, parameters.Required("SecurityGroupId"));
        var numbers = parameters.Values.Keys
            .Select(k => Regex.Match(k, @"^Permissions\.(\d+)\."))
            .Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))
            .Distinct()
            .Order()
            .ToList();
        var prefixes = numbers.Count > 0 ? numbers.Select(n => $"Permissions.{n}.").ToList()
            : parameters.Optional("IpProtocol") is not null ? [""]
            : ["Permissions.1."];
        if (numbers.Any(n => n is < 1 or > 100))
        {
            throw FakeCloudException.InvalidParameter("Permissions.N", "N must be from 1 to 100.");
        }

        var rules = new List<FakeRule>();
        foreach (var prefix in prefixes)
        {
            var protocol = OneOf(parameters, prefix + "IpProtocol", "InvalidIpProtocol.Malformed", "TCP", "UDP", "ICMP", "GRE", "ALL")
                ?? throw FakeCloudException.MissingParameter(prefix + "IpProtocol");
            var portRange = parameters.Required(prefix + "PortRange");
            if (!IsValidPortRange(protocol, portRange))
            {
                throw new FakeCloudException(400, "InvalidPortRange.Malformed",
                    $"The specified {prefix}PortRange \"{portRange}\" is not valid for {protocol} (TCP/UDP: from/to within 1-65535; others: -1/-1).");
            }

            var source = parameters.Required(prefix + "SourceCidrIp");
            if (!(IPAddress.TryParse(source, out var address) || IPNetwork.TryParse(source, out var network) && (address = network.BaseAddress) is not null)
                || address.AddressFamily != AddressFamily.InterNetwork)
            {
                throw new FakeCloudException(400, "InvalidSourceCidrIp.Malformed", $"The specified {prefix}SourceCidrIp \"{source}\" is not an IPv4 address or CIDR block.");
            }

            var policy = OneOf(parameters, prefix + "Policy", "InvalidPolicy.Malformed", "Accept", "Drop") ?? "Accept";
            var description = parameters.Optional(prefix + "Description") ?? "";
            if (description.Length > 512)
            {
                throw FakeCloudException.InvalidParameter(prefix + "Description", "at most 512 characters.");
            }

            rules.Add(new FakeRule(protocol, portRange, source, policy, description, group.Id));
        }

        return rules;
    }

    private static bool IsValidPortRange(string protocol, string portRange)
    {
        if (protocol is not ("TCP" or "UDP"))
        {
            return portRange == "-1/-1";
        }

        var parts = portRange.Split('/');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var from)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var to)
            && from is >= 1 and <= 65535 && to is >= 1 and <= 65535 && from <= to;
    }

    private static bool SameRule(FakeRule a, FakeRule b) =>
        a.SecurityGroupId == b.SecurityGroupId && a.IpProtocol == b.IpProtocol && a.PortRange == b.PortRange
        && a.SourceCidrIp == b.SourceCidrIp && a.Policy == b.Policy;
}
