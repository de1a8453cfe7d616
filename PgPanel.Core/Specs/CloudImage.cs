using System.Text.Json.Serialization;

namespace PgPanel.Core.Specs;

/// <summary>The public image line a new ECS instance starts from (its newest image). Written in a spec as "centos-7" or "alinux-3".</summary>
public enum CloudImage
{
    /// <summary>CentOS 7, as in the seed.</summary>
    [JsonStringEnumMemberName("centos-7")]
    Centos7,

    /// <summary>Alibaba Cloud Linux 3.</summary>
    [JsonStringEnumMemberName("alinux-3")]
    Alinux3,
}
