using System.Text.Json.Nodes;

namespace PgPanel.Tests.TestBed.FakeCloud;

/// <summary>
/// The fake region's resources and the ECS/VPC actions on them. Every action runs under one lock, so concurrent
/// requests see a consistent world; resources are immutable records replaced on change, so snapshots are safe to hand out.
/// </summary>
internal sealed partial class FakeCloudWorld
{
    public const string EcsVersion = "2014-05-26";
    public const string VpcVersion = "2016-04-28";

    private static readonly (string Id, string LocalName, string City)[] KnownRegions =
    [
        ("cn-hangzhou", "China (Hangzhou)", "Hangzhou"),
        ("cn-shanghai", "China (Shanghai)", "Shanghai"),
        ("cn-beijing", "China (Beijing)", "Beijing"),
        ("cn-shenzhen", "China (Shenzhen)", "Shenzhen"),
    ];

    private readonly Lock _gate = new();
    private readonly FakeAlibabaCloudOptions _options;
    private readonly (string Id, string LocalName, string City)[] _regions;
    private readonly (string Id, string LocalName)[] _zones;
    private readonly (string Id, string VpcId, string ZoneId, string CidrBlock, string Name)[] _vSwitches;
    private readonly (string Id, string Name, string VpcId, string Description)[] _securityGroups;
    private readonly List<FakeRule> _rules;
    private readonly List<FakeInstance> _instances = [];
    private readonly Dictionary<string, int> _describes = new(StringComparer.Ordinal);
    private readonly List<FakeEip> _eips = [];
    private readonly Dictionary<string, (string Fingerprint, string[] InstanceIds)> _runTokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Fingerprint, string AllocationId, string IpAddress)> _eipTokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<FakeCloudParameters, JsonObject>> _ecsActions;
    private readonly Dictionary<string, Func<FakeCloudParameters, JsonObject>> _vpcActions;
    private readonly Dictionary<string, int> _nextPrivateIp = new(StringComparer.Ordinal);
    private int _instanceNumber;
    private int _eipNumber;

    public FakeCloudWorld(FakeAlibabaCloudOptions options)
    {
        _options = options;
        _regions = KnownRegions.Any(r => r.Id == options.RegionId)
            ? KnownRegions
            : [.. KnownRegions, (options.RegionId, options.RegionId, options.RegionId)];
        var city = _regions.First(r => r.Id == options.RegionId).City;
        var otherZone = options.RegionId + "-i" == options.ZoneId ? options.RegionId + "-j" : options.RegionId + "-i";
        _zones = [.. new[] { options.ZoneId, otherZone }.Select(z => (z, $"{city} Zone {z[(z.LastIndexOf('-') + 1)..].ToUpperInvariant()}"))];
        _vSwitches =
        [
            (options.VSwitchId, options.VpcId, options.ZoneId, options.VSwitchCidr, "fake-vswitch"),
            ("vsw-other", "vpc-other", otherZone, "172.16.0.0/24", "other-vswitch"),
        ];
        _securityGroups =
        [
            (options.SecurityGroupId, "fake-security-group", options.VpcId, "The fake VPC's security group"),
            ("sg-other", "other-security-group", "vpc-other", "A security group of another VPC"),
        ];
        _rules = [.. options.ExistingRules.Select(r => r with
        {
            IpProtocol = r.IpProtocol.ToUpperInvariant(),
            Policy = string.Equals(r.Policy, "drop", StringComparison.OrdinalIgnoreCase) ? "Drop" : "Accept",
            SecurityGroupId = r.SecurityGroupId ?? options.SecurityGroupId,
        })];
        _ecsActions = new(StringComparer.Ordinal)
        {
            ["DescribeRegions"] = DescribeRegions,
            ["DescribeZones"] = DescribeZones,
            ["DescribeImages"] = DescribeImages,
            ["DescribeSecurityGroups"] = DescribeSecurityGroups,
            ["DescribeSecurityGroupAttribute"] = DescribeSecurityGroupAttribute,
            ["AuthorizeSecurityGroup"] = AuthorizeSecurityGroup,
            ["RevokeSecurityGroup"] = RevokeSecurityGroup,
            ["RunInstances"] = RunInstances,
            ["DescribeInstances"] = DescribeInstances,
            ["DeleteInstance"] = DeleteInstance,
        };
        _vpcActions = new(StringComparer.Ordinal)
        {
            ["DescribeVSwitches"] = DescribeVSwitches,
            ["AllocateEipAddress"] = AllocateEipAddress,
            ["AssociateEipAddress"] = AssociateEipAddress,
            ["UnassociateEipAddress"] = UnassociateEipAddress,
            ["ReleaseEipAddress"] = ReleaseEipAddress,
            ["DescribeEipAddresses"] = DescribeEipAddresses,
        };
    }

    public IReadOnlyList<FakeInstance> Instances
    {
        get
        {
            lock (_gate)
            {
                return [.. _instances];
            }
        }
    }

    public IReadOnlyList<FakeEip> Eips
    {
        get
        {
            lock (_gate)
            {
                return [.. _eips];
            }
        }
    }

    public IReadOnlyList<FakeRule> Rules
    {
        get
        {
            lock (_gate)
            {
                return [.. _rules];
            }
        }
    }

    /// <summary>Runs an action of the given API version; throws <c>InvalidVersion</c> / <c>InvalidAction.NotFound</c> for ones the fake does not serve.</summary>
    public JsonObject Invoke(string version, string action, FakeCloudParameters parameters)
    {
        var actions = version switch
        {
            EcsVersion => _ecsActions,
            VpcVersion => _vpcActions,
            _ => throw new FakeCloudException(400, "InvalidVersion", $"Specified parameter Version \"{version}\" is not valid (ECS {EcsVersion}, VPC {VpcVersion})."),
        };
        if (!actions.TryGetValue(action, out var run))
        {
            throw new FakeCloudException(404, "InvalidAction.NotFound", $"Specified api \"{action}\" is not found in version {version}.");
        }

        lock (_gate)
        {
            return run(parameters);
        }
    }

    /// <summary>The RegionId parameter, which must name a region of DescribeRegions; only the options' region holds resources.</summary>
    private string Region(FakeCloudParameters parameters, bool required = true)
    {
        var region = required ? parameters.Required("RegionId") : parameters.Optional("RegionId");
        if (region is not null && !_regions.Any(r => r.Id == region))
        {
            throw new FakeCloudException(404, "InvalidRegionId.NotFound", $"The specified RegionId \"{region}\" does not exist.");
        }

        return region ?? _options.RegionId;
    }

    private bool IsHome(string region) => region == _options.RegionId;

    private static JsonObject Wrap(string name, IEnumerable<JsonNode?> items) => new() { [name] = new JsonArray([.. items]) };

    private static JsonObject Wrap(string name, IEnumerable<string> items) => Wrap(name, items.Select(i => (JsonNode?)JsonValue.Create(i)));

    /// <summary>
    /// One page (PageNumber/PageSize, default 1/10 as the real API) of <paramref name="items"/> as <c>{outer:{inner:[…]}}</c>
    /// with TotalCount, PageNumber and PageSize; only the items on the page are rendered.
    /// </summary>
    private static JsonObject Page<T>(FakeCloudParameters parameters, string outer, string inner, IReadOnlyList<T> items, Func<T, JsonObject> render, int maxPageSize = 100)
    {
        var number = parameters.Int("PageNumber", 1, 1, 100_000);
        var size = parameters.Int("PageSize", 10, 1, maxPageSize);
        return new JsonObject
        {
            [outer] = Wrap(inner, items.Skip((number - 1) * size).Take(size).Select(render)),
            ["TotalCount"] = items.Count,
            ["PageNumber"] = number,
            ["PageSize"] = size,
        };
    }
}
