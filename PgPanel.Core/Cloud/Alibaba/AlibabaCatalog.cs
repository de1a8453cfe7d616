using PgPanel.Core.Specs;

namespace PgPanel.Core.Cloud.Alibaba;

/// <summary>Lists what the wizard offers on Alibaba Cloud: regions, zones, vSwitches, security groups and the newest images.</summary>
public sealed class AlibabaCatalog(AlibabaClient client, EcsProvisioner provisioner)
{
    public async Task<AlibabaLookupResult> LookupAsync(AlibabaLookupRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var cloud = new CloudSpec { AccessKeyId = request.AccessKeyId, AccessKeySecret = request.AccessKeySecret, SecurityToken = request.SecurityToken };
        var credentials = await provisioner.CredentialsAsync(cloud, cancellationToken).ConfigureAwait(false);
        var region = string.IsNullOrEmpty(request.RegionId) ? "cn-hangzhou" : request.RegionId;
        var session = new AlibabaSession(client, credentials, region);
        var regions = await session.DescribeRegionsAsync(cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrEmpty(request.RegionId))
        {
            return new AlibabaLookupResult(credentials.Source, credentials.MaskedKeyId, regions, [], [], [], []);
        }

        var zones = await session.DescribeZonesAsync(cancellationToken).ConfigureAwait(false);
        var vSwitches = await session.DescribeVSwitchesAsync(string.IsNullOrEmpty(request.ZoneId) ? null : request.ZoneId, cancellationToken: cancellationToken).ConfigureAwait(false);
        var vpc = vSwitches.FirstOrDefault(v => v.VSwitchId == request.VSwitchId)?.VpcId;
        var groups = await session.DescribeSecurityGroupsAsync(vpc, cancellationToken).ConfigureAwait(false);
        var images = new List<EcsImage>();
        foreach (var prefix in new[] { "centos_7", "aliyun_3_x64" })
        {
            images.AddRange((await session.DescribeImagesAsync(prefix, cancellationToken: cancellationToken).ConfigureAwait(false)).Take(1));
        }

        return new AlibabaLookupResult(credentials.Source, credentials.MaskedKeyId, regions, zones, vSwitches, groups, images);
    }
}
