using PgPanel.Core.Security;

namespace PgPanel.Core.Cloud.Alibaba;

/// <summary>What the wizard knows so far; the answer lists what can be chosen next.</summary>
public sealed record AlibabaLookupRequest
{
    public string? AccessKeyId { get; init; }

    public Secret? AccessKeySecret { get; init; }

    public Secret? SecurityToken { get; init; }

    public string? RegionId { get; init; }

    public string? ZoneId { get; init; }

    public string? VSwitchId { get; init; }
}
