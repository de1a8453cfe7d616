using PgPanel.Core.Cloud.Alibaba;
using PgPanel.Core.Security;
using PgPanel.Core.Specs;

namespace PgPanel.Web.Components.Pages.Wizard;

/// <summary>The ECS choices of the wizard: AccessKey, where the instances go, what they are, and how root is reached.</summary>
public sealed class WizardCloud
{
    /// <summary>False: the panel's environment or ~/.aliyun/config.json.</summary>
    public bool EnterKey { get; set; } = true;

    public string? AccessKeyId { get; set; }

    public string? AccessKeySecret { get; set; }

    public string? SecurityToken { get; set; }

    public string RegionId { get; set; } = "";

    public string ZoneId { get; set; } = "";

    public string VSwitchId { get; set; } = "";

    public string SecurityGroupId { get; set; } = "";

    public string InstanceType { get; set; } = "ecs.g6.large";

    public CloudImage Image { get; set; } = CloudImage.Centos7;

    public string SystemDiskCategory { get; set; } = "cloud_essd";

    public bool UseEip { get; set; } = true;

    public int EipBandwidth { get; set; } = 5;

    public CloudConnectVia ConnectVia { get; set; } = CloudConnectVia.Private;

    /// <summary>False: root logs in with <see cref="InstancePassword"/> (generated here, kept sealed).</summary>
    public bool UseKeyPair { get; set; }

    /// <summary>The instances' root password: generated to ECS's rule; the user may reveal and copy it once.</summary>
    public string InstancePassword { get; set; } = EcsProvisioner.GenerateInstancePassword().Reveal();

    public string? KeyPairName { get; set; }

    public string? PrivateKey { get; set; }

    /// <summary>The last lookup's answer (regions, zones, vSwitches, groups, images).</summary>
    public AlibabaLookupResult? Catalog { get; set; }

    public IEnumerable<VpcSwitch> VSwitchesOfZone => (Catalog?.VSwitches ?? []).Where(v => ZoneId.Length == 0 || v.ZoneId == ZoneId);

    public IEnumerable<EcsSecurityGroup> GroupsOfVpc
    {
        get
        {
            var vpc = Catalog?.VSwitches.FirstOrDefault(v => v.VSwitchId == VSwitchId)?.VpcId;
            return (Catalog?.SecurityGroups ?? []).Where(g => vpc is null || g.VpcId == vpc);
        }
    }

    public AlibabaLookupRequest ToLookup() => new()
    {
        AccessKeyId = EnterKey && !string.IsNullOrWhiteSpace(AccessKeyId) ? AccessKeyId.Trim() : null,
        AccessKeySecret = EnterKey && !string.IsNullOrEmpty(AccessKeySecret) ? new Secret(AccessKeySecret) : null,
        SecurityToken = EnterKey && !string.IsNullOrEmpty(SecurityToken) ? new Secret(SecurityToken) : null,
        RegionId = RegionId.Length == 0 ? null : RegionId,
        ZoneId = ZoneId.Length == 0 ? null : ZoneId,
        VSwitchId = VSwitchId.Length == 0 ? null : VSwitchId,
    };

    public CloudSpec ToSpec()
    {
        var lookup = ToLookup();
        return new CloudSpec
        {
            RegionId = RegionId,
            ZoneId = ZoneId,
            VSwitchId = VSwitchId,
            SecurityGroupId = SecurityGroupId,
            InstanceType = InstanceType.Trim(),
            Image = Image,
            SystemDiskCategory = SystemDiskCategory,
            UseEip = UseEip,
            EipBandwidth = EipBandwidth,
            ConnectVia = ConnectVia,
            KeyPairName = UseKeyPair && !string.IsNullOrWhiteSpace(KeyPairName) ? KeyPairName.Trim() : null,
            InstancePassword = UseKeyPair ? null : new Secret(InstancePassword),
            AccessKeyId = lookup.AccessKeyId,
            AccessKeySecret = lookup.AccessKeySecret,
            SecurityToken = lookup.SecurityToken,
        };
    }

    /// <summary>A node on a new instance: root over SSH, with the key pair's private key when one is used.</summary>
    public ConnectionSpec NodeConnection() => UseKeyPair && !string.IsNullOrWhiteSpace(PrivateKey)
        ? new ConnectionSpec { Kind = ConnectionKind.Ssh, User = "root", PrivateKey = new Secret(PrivateKey) }
        : ConnectionSpec.Local;
}
