using PgPanel.Core.Records;
using PgPanel.Core.Specs;

namespace PgPanel.Core.Cloud.Alibaba;

/// <summary>
/// The state of one run's cloud phase: what was looked up (image, vSwitch), which instances belong to which node, and
/// the resources this run created (from the job history, so a resume finds them again).
/// </summary>
public sealed class EcsRun
{
    public required Guid JobId { get; init; }

    public required ClusterSpec Spec { get; init; }

    public CloudSpec Cloud => Spec.Cloud!;

    public required AlibabaSession Session { get; init; }

    /// <summary>Resources this job created, oldest first.</summary>
    public required List<CloudResource> Resources { get; init; }

    /// <summary>Writes a newly created resource to the job history before anything else happens.</summary>
    public required Func<CloudResource, CancellationToken, Task> Record { get; init; }

    /// <summary>Where the current step's lines go (the session's calls included).</summary>
    public Action<string>? Trace { get; set; }

    public string? ImageId { get; set; }

    public VpcSwitch? VSwitch { get; set; }

    /// <summary>Instance id by node id.</summary>
    public Dictionary<string, string> InstanceIds { get; } = new(StringComparer.Ordinal);

    /// <summary>The latest DescribeInstances answer by node id.</summary>
    public Dictionary<string, EcsInstance> Instances { get; } = new(StringComparer.Ordinal);

    public void Write(string line) => Trace?.Invoke(line);

    public CloudResource? Created(string kind, string node) =>
        Resources.LastOrDefault(r => r.Kind == kind && r.Node == node && r.ReleasedAt is null);
}
