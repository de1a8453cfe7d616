using PgPanel.Core.Hosts;
using PgPanel.Core.Specs;

namespace PgPanel.Core.Planning;

/// <summary>Everything the planner reads: the spec, facts about each node's host, and where local clusters live.</summary>
/// <param name="Spec">A validated spec.</param>
/// <param name="Facts">Facts per node id ("primary", "standby1", …).</param>
/// <param name="LocalRoot">PgPanel:DataDirectory, absolute: local clusters go under its clusters/ folder.</param>
public sealed record PlanRequest(ClusterSpec Spec, IReadOnlyDictionary<string, HostFacts> Facts, string LocalRoot);
