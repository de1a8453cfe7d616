using PgPanel.Core.Hosts;
using PgPanel.Core.Specs;

namespace PgPanel.Core.Planning;

/// <summary>Everything the planner reads: the spec, facts about each node's host, and where local clusters live.</summary>
/// <param name="Spec">A validated spec.</param>
/// <param name="Facts">Facts per node id ("primary", "standby1", …).</param>
/// <param name="LocalRoot">PgPanel:DataDirectory, absolute: local clusters go under its clusters/ folder.</param>
/// <param name="Options">The panel's settings the plan depends on; null: the defaults.</param>
/// <param name="DropSlots">Replication slots of standbys that left the spec, confirmed by the DBA: dropped on the primary.</param>
public sealed record PlanRequest(ClusterSpec Spec, IReadOnlyDictionary<string, HostFacts> Facts, string LocalRoot, PlanOptions? Options = null,
    IReadOnlyList<string>? DropSlots = null);
