namespace PgPanel.Core.Cloud.Alibaba;

/// <summary>The choices for the wizard's pickers: regions always; zones, vSwitches, security groups and images of a region.</summary>
public sealed record AlibabaLookupResult(
    string CredentialSource, string AccessKeyId, IReadOnlyList<EcsRegion> Regions, IReadOnlyList<EcsZone> Zones, IReadOnlyList<VpcSwitch> VSwitches,
    IReadOnlyList<EcsSecurityGroup> SecurityGroups, IReadOnlyList<EcsImage> Images);
