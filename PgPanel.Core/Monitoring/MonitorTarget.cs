using PgPanel.Core.Security;
using PgPanel.Core.Specs;

namespace PgPanel.Core.Monitoring;

/// <summary>A cluster the monitor watches: its nodes and the monitoring login.</summary>
public sealed record MonitorTarget(string ClusterName, PgVersion Version, IReadOnlyList<MonitorNode> Nodes, Secret Password)
{
    public MonitorNode Primary => Nodes[0];

    public IEnumerable<MonitorNode> Standbys => Nodes.Skip(1);
}

/// <summary>A node: id ("primary", "standby1"), address, and for a standby its application_name on the primary.</summary>
public sealed record MonitorNode(string Id, string Host, int Port, string? ApplicationName);
