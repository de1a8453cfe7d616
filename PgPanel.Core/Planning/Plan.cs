using PgPanel.Core.Specs;

namespace PgPanel.Core.Planning;

/// <summary>The ordered steps that take the hosts from what they are to the pair the spec asks for. Pure data.</summary>
public sealed record Plan
{
    public required string ClusterName { get; init; }

    public required PgVersion PostgresVersion { get; init; }

    public required IReadOnlyList<PlanNode> Nodes { get; init; }

    public required IReadOnlyList<PlanStep> Steps { get; init; }

    /// <summary>The secret names the plan needs at run time, each with what it is.</summary>
    public IReadOnlyDictionary<string, string> Secrets { get; init; } = new Dictionary<string, string>();

    public PlanNode Node(string id) => Nodes.Single(n => n.Id == id);
}

/// <summary>A node as the plan resolved it: its role, address and where everything lives.</summary>
public sealed record PlanNode(string Id, NodeRole Role, string Host, int Port, ConnectionKind Connection, PostgresLayout Layout, string? PrivateAddress = null)
{
    /// <summary>Where this node's host installs PostgreSQL from (the node's own choice, else the cluster's).</summary>
    public PackageSourceSpec Packages { get; init; } = PackageSourceSpec.Default;

    /// <summary>The address the other nodes use (the private address on a cloud VPC, else the host the panel dials).</summary>
    public string ReplicationHost => PrivateAddress ?? Host;
}
