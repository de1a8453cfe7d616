using System.Text.Json.Serialization;
using PgPanel.Core.Text;

namespace PgPanel.Core.Monitoring;

[JsonConverter(typeof(KebabCaseEnumConverter<ClusterHealth>))]
public enum ClusterHealth
{
    /// <summary>The primary is up and every standby streams.</summary>
    Healthy,

    /// <summary>The primary is up; at least one standby does not stream.</summary>
    Degraded,

    /// <summary>The primary is unreachable or is not a primary.</summary>
    Down,
}
