namespace PgPanel.Core.Records;

/// <summary>
/// A cloud resource a run created (an instance, an EIP, its association, a security-group rule): the list
/// "Release created resources" works from, so nothing PgPanel did not create is ever deleted.
/// </summary>
public sealed class CloudResource
{
    public long Id { get; set; }

    public Guid JobId { get; set; }

    /// <summary>instance, eip, eip-association, ingress-rule.</summary>
    public required string Kind { get; set; }

    /// <summary>i-…, eip-…, or the security group id for a rule.</summary>
    public required string ResourceId { get; set; }

    public required string RegionId { get; set; }

    /// <summary>The node it belongs to (primary, standby1) or "cluster".</summary>
    public required string Node { get; set; }

    /// <summary>What identifies it besides the id: the instance an EIP is associated with, or the rule as JSON.</summary>
    public string Detail { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? ReleasedAt { get; set; }
}
