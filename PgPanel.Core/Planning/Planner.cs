using PgPanel.Core.Specs;

namespace PgPanel.Core.Planning;

/// <summary>
/// Turns a spec and facts about the hosts into an ordered list of idempotent steps. Pure: no I/O, same input, same plan.
/// <see cref="Create"/> resolves the nodes and calls the phases in order: <see cref="PreflightPhase"/>,
/// <see cref="PackagePhase"/> and <see cref="HostSecurityPhase"/>, <see cref="PrimaryPhase"/>, <see cref="StandbyPhase"/>,
/// <see cref="VerifyPhase"/> (steps shared by primary and standby in <see cref="ServerSteps"/>). Every PostgreSQL-version
/// and OS difference is decided in those phases (and in <see cref="PostgresLayout"/> and <see cref="ConfigRenderer"/>).
/// </summary>
public static class Planner
{
    public static readonly string PrimaryId = NodeId.Primary.ToString();
    private const string Secret = PlanDefaults.ReplicationPasswordSecret;

    /// <summary>Node ids in plan order: "primary", "standby1", "standby2", …</summary>
    public static IReadOnlyList<string> NodeIds(ClusterSpec spec) => [.. NodeId.All(spec).Select(n => n.ToString())];

    public static NodeSpec NodeSpecOf(ClusterSpec spec, string nodeId) => NodeId.Parse(nodeId).In(spec);

    public static Plan Create(PlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var spec = request.Spec;
        var validation = SpecValidator.Validate(spec);
        if (!validation.IsValid)
        {
            throw new ArgumentException($"The spec is not valid: {validation}", nameof(request));
        }

        var nodes = NodeIds(spec).Select(id => ResolveNode(request, id)).ToList();
        var primary = nodes[0];
        var standbys = nodes.Skip(1).ToList();
        var steps = new List<PlanStep>();
        var hostGroups = nodes.GroupBy(HostKey).ToList();

        // 1. Pre-flight: nothing is changed before every node passes.
        foreach (var group in hostGroups)
        {
            var first = group.First();
            var facts = request.Facts[first.Id];
            if (first.Connection == ConnectionKind.Ssh && !facts.CanBecomeRoot)
            {
                steps.Add(PreflightPhase.RootAvailable(first, facts, group.Select(n => n.Id)));
            }

            if (!PackagePhase.NeedsInstall(facts, spec.PostgresVersion))
            {
                continue;
            }

            steps.Add(facts.CanBecomeRoot && first.Packages.Source != PackageSourceKind.Installed
                ? PreflightPhase.PackageSourceReachable(first, facts, spec.PostgresVersion)
                : PreflightPhase.BinariesPresent(first, facts, spec.PostgresVersion));
        }

        long? primaryBytes = request.Facts[primary.Id].DataDirectoryBytes.TryGetValue(primary.Layout.DataDirectory, out var measured) ? measured : null;
        foreach (var node in nodes)
        {
            steps.Add(PreflightPhase.DataDirectoryUsable(spec, node));
            steps.Add(PreflightPhase.PortAvailable(node));
            steps.Add(PreflightPhase.DiskSpace(node, node.Role == NodeRole.Standby ? primaryBytes : null));
            if (HostSecurityPhase.NeedsSelinuxRules(node, request.Facts[node.Id]))
            {
                steps.Add(HostSecurityPhase.SelinuxToolsPresent(node));
            }
        }

        // 2. Install PostgreSQL where it is missing and the panel may; open the firewall; SELinux rules.
        foreach (var group in hostGroups)
        {
            var first = group.First();
            var facts = request.Facts[first.Id];
            if (PackagePhase.NeedsInstall(facts, spec.PostgresVersion) && facts.CanBecomeRoot && first.Packages.Source != PackageSourceKind.Installed)
            {
                steps.Add(PackagePhase.Install(first, facts, spec.PostgresVersion, group.Select(n => n.Id)));
            }
        }

        foreach (var node in nodes)
        {
            var facts = request.Facts[node.Id];
            if (facts.FirewalldRunning && facts.CanBecomeRoot && node.Connection == ConnectionKind.Ssh)
            {
                steps.Add(HostSecurityPhase.Firewall(node, nodes, facts));
            }

            if (HostSecurityPhase.NeedsSelinuxRules(node, facts))
            {
                steps.Add(HostSecurityPhase.SelinuxRules(node));
            }
        }

        // 3. The primary.
        var panelAddresses = request.Facts.Values.Select(f => f.PanelAddress).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var hba = ConfigRenderer.Hba(spec, nodes, panelAddresses);
        steps.AddRange(PrimaryPhase.Steps(spec, primary, standbys, hba, request.Facts[primary.Id]));

        foreach (var slot in request.DropSlots ?? [])
        {
            steps.Add(PrimaryPhase.DropSlot(primary, slot));
        }

        // 4. Each standby: proven access, clone beside the data directory, configure, swap in, start.
        foreach (var standby in standbys)
        {
            steps.AddRange(StandbyPhase.Steps(spec, primary, standby, hba, request.Facts[standby.Id], request.Facts[primary.Id], request.Options ?? PlanOptions.Default));
        }

        // 5. Verification and synchronous mode.
        foreach (var standby in standbys)
        {
            steps.Add(VerifyPhase.VerifySender(spec, primary, standby));
            steps.Add(VerifyPhase.VerifyReceiver(spec, standby));
        }

        steps.Add(VerifyPhase.SynchronousStandbyNames(spec, primary, standbys));
        foreach (var standby in standbys)
        {
            steps.Add(VerifyPhase.Canary(spec, primary, standby));
        }

        return new Plan
        {
            ClusterName = spec.Name,
            PostgresVersion = spec.PostgresVersion,
            Nodes = nodes,
            Steps = steps,
            Secrets = new Dictionary<string, string>
            {
                [Secret] = $"password of the replication role {spec.Replication.User}",
                [PlanDefaults.MonitorPasswordSecret] = $"password of the monitoring role {PlanDefaults.MonitorRole}",
            },
        };
    }

    private static PlanNode ResolveNode(PlanRequest request, string id)
    {
        var spec = request.Spec;
        var node = NodeSpecOf(spec, id);
        if (!request.Facts.TryGetValue(id, out var facts))
        {
            throw new ArgumentException($"No host facts for node {id}.", nameof(request));
        }

        var local = (node.Connection ?? ConnectionSpec.Local).Kind == ConnectionKind.Local;
        var layout = PostgresLayout.For(local, facts, spec.PostgresVersion, node.Port, node.DataDirectory, spec.Name, id, request.LocalRoot);
        return new PlanNode(id, id == PrimaryId ? NodeRole.Primary : NodeRole.Standby, node.Host, node.Port, local ? ConnectionKind.Local : ConnectionKind.Ssh, layout, node.PrivateAddress)
        {
            Packages = node.Packages ?? spec.Packages ?? PackageSourceSpec.Default,
        };
    }

    private static string HostKey(PlanNode node) => node.Connection == ConnectionKind.Local ? "local" : $"ssh:{node.Host}";
}
