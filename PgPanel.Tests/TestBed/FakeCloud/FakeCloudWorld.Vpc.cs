using System.Text.Json.Nodes;

namespace PgPanel.Tests.TestBed.FakeCloud;

/// <summary>The VPC 2016-04-28 actions: vSwitches and elastic IPs.</summary>
internal sealed partial class FakeCloudWorld
{
    private JsonObject DescribeVSwitches(FakeCloudParameters parameters)
    {
        var region = Region(parameters);
        var vpcId = parameters.Optional("VpcId");
        var zoneId = parameters.Optional("ZoneId");
        var vSwitchId = parameters.Optional("VSwitchId");
        var vSwitches = _vSwitches
            .Where(v => IsHome(region))
            .Where(v => vpcId is null || v.VpcId == vpcId)
            .Where(v => zoneId is null || v.ZoneId == zoneId)
            .Where(v => vSwitchId is null || v.Id == vSwitchId)
            .ToList();
        return Page(parameters, "VSwitches", "VSwitch", vSwitches, v => new JsonObject
        {
            ["VSwitchId"] = v.Id,
            ["VpcId"] = v.VpcId,
            ["ZoneId"] = v.ZoneId,
            ["CidrBlock"] = v.CidrBlock,
            ["VSwitchName"] = v.Name,
            ["Status"] = "Available",
        }, maxPageSize: 50);
    }

    private JsonObject AllocateEipAddress(FakeCloudParameters parameters)
    {
        Region(parameters);
        var bandwidth = parameters.Int("Bandwidth", 5, 1, 200);
        var chargeType = OneOf(parameters, "InternetChargeType", "InvalidInternetChargeType.ValueNotSupported", "PayByBandwidth", "PayByTraffic") ?? "PayByBandwidth";
        var clientToken = ClientToken(parameters);
        var fingerprint = parameters.Fingerprint();
        if (clientToken is not null && _eipTokens.TryGetValue(clientToken, out var earlier))
        {
            return earlier.Fingerprint == fingerprint ? AllocateAnswer(earlier.AllocationId, earlier.IpAddress) : throw IdempotentParameterMismatch();
        }

        var address = _options.EipAddresses.FirstOrDefault(a => !_eips.Any(e => e.IpAddress == a))
            ?? throw new FakeCloudException(400, "QuotaExceeded.Eip", "The number of EIPs exceeds the quota: the fake's EipAddresses are all allocated.");
        var eip = new FakeEip($"eip-fake{++_eipNumber:D6}", address, "Available", null, bandwidth, chargeType, clientToken);
        _eips.Add(eip);
        if (clientToken is not null)
        {
            _eipTokens[clientToken] = (fingerprint, eip.AllocationId, eip.IpAddress);
        }

        return AllocateAnswer(eip.AllocationId, eip.IpAddress);
    }

    private JsonObject AssociateEipAddress(FakeCloudParameters parameters)
    {
        Region(parameters);
        var eip = Eip(parameters.Required("AllocationId"));
        var instance = Instance(parameters.Required("InstanceId"));
        OneOf(parameters, "InstanceType", "InvalidParameter", "EcsInstance");
        if (eip.Status == "InUse")
        {
            return eip.InstanceId == instance.InstanceId
                ? []
                : throw new FakeCloudException(400, "IncorrectEipStatus", $"The current status of the EIP does not support this operation: {eip.AllocationId} is InUse by {eip.InstanceId}.");
        }

        if (instance.Status != "Running")
        {
            throw new FakeCloudException(400, "IncorrectInstanceStatus",
                $"The current status of the instance does not support this operation: {instance.InstanceId} is {instance.Status}, not Running.");
        }

        if (instance.EipAllocationId is not null)
        {
            throw new FakeCloudException(400, "InvalidAssociation.Duplicated", $"Instance {instance.InstanceId} already has EIP {instance.EipAllocationId}.");
        }

        ReplaceEip(eip with { Status = "InUse", InstanceId = instance.InstanceId });
        ReplaceInstance(instance with { EipAllocationId = eip.AllocationId });
        return [];
    }

    private JsonObject UnassociateEipAddress(FakeCloudParameters parameters)
    {
        Region(parameters, required: false);
        var eip = Eip(parameters.Required("AllocationId"));
        var instanceId = parameters.Required("InstanceId");
        if (eip.Status != "InUse" || eip.InstanceId != instanceId)
        {
            throw new FakeCloudException(400, "IncorrectEipStatus",
                $"The current status of the EIP does not support this operation: {eip.AllocationId} is {eip.Status}{(eip.InstanceId is null ? "" : " on " + eip.InstanceId)}, not bound to {instanceId}.");
        }

        ReplaceEip(eip with { Status = "Available", InstanceId = null });
        ReplaceInstance(Instance(instanceId) with { EipAllocationId = null });
        return [];
    }

    private JsonObject ReleaseEipAddress(FakeCloudParameters parameters)
    {
        Region(parameters, required: false);
        var eip = Eip(parameters.Required("AllocationId"));
        if (eip.Status != "Available")
        {
            throw new FakeCloudException(400, "IncorrectEipStatus", $"The current status of the EIP does not support this operation: {eip.AllocationId} is {eip.Status}; unassociate it first.");
        }

        _eips.Remove(eip);
        return [];
    }

    private JsonObject DescribeEipAddresses(FakeCloudParameters parameters)
    {
        var region = Region(parameters);
        var allocationId = parameters.Optional("AllocationId");
        var ipAddress = parameters.Optional("EipAddress");
        var eips = _eips
            .Where(e => IsHome(region))
            .Where(e => allocationId is null || e.AllocationId == allocationId)
            .Where(e => ipAddress is null || e.IpAddress == ipAddress)
            .ToList();
        return Page(parameters, "EipAddresses", "EipAddress", eips, e => new JsonObject
        {
            ["AllocationId"] = e.AllocationId,
            ["IpAddress"] = e.IpAddress,
            ["Status"] = e.Status,
            ["InstanceId"] = e.InstanceId ?? "",
            ["InstanceType"] = e.InstanceId is null ? "" : "EcsInstance",
            ["Bandwidth"] = e.Bandwidth.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["InternetChargeType"] = e.InternetChargeType,
            ["RegionId"] = region,
        }, maxPageSize: 100);
    }

    private static JsonObject AllocateAnswer(string allocationId, string ipAddress) => new() { ["AllocationId"] = allocationId, ["EipAddress"] = ipAddress };

    private FakeEip Eip(string allocationId) =>
        _eips.FirstOrDefault(e => e.AllocationId == allocationId)
        ?? throw new FakeCloudException(404, "InvalidAllocationId.NotFound", $"The specified AllocationId \"{allocationId}\" does not exist.");

    private void ReplaceEip(FakeEip eip) => _eips[_eips.FindIndex(e => e.AllocationId == eip.AllocationId)] = eip;

    private void ReplaceInstance(FakeInstance instance) => _instances[_instances.FindIndex(i => i.InstanceId == instance.InstanceId)] = instance;
}
