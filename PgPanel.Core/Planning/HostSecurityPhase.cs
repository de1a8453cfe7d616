using PgPanel.Core.Hosts;
using PgPanel.Core.Records;
using static PgPanel.Core.Security.ShellQuote;

namespace PgPanel.Core.Planning;

/// <summary>
/// Phase 2b, host security: firewalld rich rules that admit only the cluster's nodes and the panel to PostgreSQL's
/// port (<c>firewall-*</c>), and SELinux on RHEL-family hosts whose data directory or port is not PGDG's default:
/// the tools check (<c>preflight-selinux-*</c>, run with the pre-flight), the local policy rules (<c>selinux-*</c>)
/// and the relabel of a data directory after initdb or the swap of a clone (<c>selinux-label-*</c>, called by
/// <see cref="PrimaryPhase"/> and <see cref="StandbyPhase"/>). The differences here are per OS and layout, not per
/// PostgreSQL version (except the default data directory named in the advice).
/// </summary>
internal static class HostSecurityPhase
{
    /// <summary>
    /// firewalld (on by default on CentOS, Rocky and Alma) drops PostgreSQL's port: open it to the cluster's other nodes
    /// and the panel only, one rich rule per address, in the zone of the node's interface, at runtime and permanently.
    /// </summary>
    internal static PlanStep Firewall(PlanNode node, IReadOnlyList<PlanNode> nodes, HostFacts facts)
    {
        var sources = nodes.Where(n => n.Id != node.Id).Select(n => n.ReplicationHost)
            .Concat(facts.PanelAddress is { } panel ? [panel] : [])
            .Where(a => !(System.Net.IPAddress.TryParse(a, out var ip) && System.Net.IPAddress.IsLoopback(ip)))
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var rules =
            $$"""
            port={{node.Port}}
            iface=$(ip -o addr show to {{Quote(node.ReplicationHost)}} 2>/dev/null | awk '{print $2; exit}' || true)
            zone=""
            if [ -n "$iface" ]; then zone=$(firewall-cmd --get-zone-of-interface="$iface" 2>/dev/null || true); fi
            [ -n "$zone" ] || zone=$(firewall-cmd --get-default-zone)
            rules=()
            for source in {{string.Join(' ', sources.Select(Quote))}}; do
              address=$source
              if ! [[ $source =~ ^[0-9.]+$ || $source == *:* ]]; then address=$(getent ahosts "$source" | awk 'NR == 1 {print $1}'); fi
              if [[ $address == *:* ]]; then family=ipv6; bits=128; else family=ipv4; bits=32; fi
              rules+=("rule family=\"$family\" source address=\"$address/$bits\" port port=\"$port\" protocol=\"tcp\" accept")
            done
            """;
        return new PlanStep
        {
            Id = $"firewall-{node.Id}",
            Title = $"firewalld lets the cluster's nodes and the panel reach {node.Id}'s port {node.Port}",
            Node = node.Id,
            Description = $"One rich rule per address ({string.Join(", ", sources)}), runtime and permanent; nothing else is opened.",
            Check = new PlanCommand(node.Id, rules + "\n" +
                """
                for rule in "${rules[@]}"; do
                  if ! firewall-cmd --zone="$zone" --query-rich-rule="$rule" >/dev/null || ! firewall-cmd --permanent --zone="$zone" --query-rich-rule="$rule" >/dev/null; then
                    echo "Zone $zone lacks: $rule"; exit 1
                  fi
                done
                echo "Zone $zone admits the cluster's nodes and the panel on port $port."
                """, "root"),
            Apply = [new PlanCommand(node.Id, rules + "\n" +
                """
                for rule in "${rules[@]}"; do
                  firewall-cmd --zone="$zone" --query-rich-rule="$rule" >/dev/null || firewall-cmd --zone="$zone" --add-rich-rule="$rule" >/dev/null
                  firewall-cmd --permanent --zone="$zone" --query-rich-rule="$rule" >/dev/null || firewall-cmd --permanent --zone="$zone" --add-rich-rule="$rule" >/dev/null
                  echo "Zone $zone: $rule"
                done
                """, "root")],
        };
    }

    /// <summary>SELinux enforcing labels only PGDG's data directory and port 5432 for PostgreSQL; anything else needs rules.</summary>
    internal static bool NeedsSelinuxRules(PlanNode node, HostFacts facts) =>
        facts.SelinuxEnforcing && facts.CanBecomeRoot && node.Layout.Kind == LayoutKind.RedHatService &&
        (!node.Layout.HasDefaultDataDirectory || node.Port != 5432);

    internal static PlanStep SelinuxToolsPresent(PlanNode node) => new()
    {
        Id = $"preflight-selinux-{node.Id}",
        Title = $"SELinux: semanage is there to label {node.Id}'s data directory and port",
        Node = node.Id,
        Kind = StepKind.Preflight,
        Description = "SELinux is enforcing and the data directory or port is not PostgreSQL's default, so it needs a label.",
        Check = new PlanCommand(node.Id,
            $"""
            if ! command -v semanage >/dev/null 2>&1 || ! command -v restorecon >/dev/null 2>&1; then
              echo "SELinux is enforcing and {node.Layout.DataDirectory} (port {node.Port}) is not PostgreSQL's default, so it must be labelled, but semanage is missing. Install policycoreutils-python-utils (EL-8+; policycoreutils-python on EL-7), or use {PostgresLayout.DefaultRedHatDataDirectory(node.Layout.Version)} and port 5432." >&2
              exit 3
            fi
            echo "SELinux is enforcing; semanage and restorecon are installed."
            """, "root"),
    };

    internal static PlanStep SelinuxRules(PlanNode node)
    {
        var l = node.Layout;
        var regex = $"{l.DataDirectory}(/.*)?";
        var checks = new List<string>();
        var applies = new List<string>();
        if (!l.HasDefaultDataDirectory)
        {
            checks.Add($"semanage fcontext -l -C | grep -qF -- {Quote(regex + " ")} || {{ echo 'No file context rule for {l.DataDirectory} yet.'; exit 1; }}");
            applies.Add($"semanage fcontext -a -t postgresql_db_t {Quote(regex)}");
            applies.Add($"echo 'File context rule: {regex} is postgresql_db_t.'");
        }

        if (node.Port != 5432)
        {
            checks.Add($"semanage port -l | grep -E '^postgresql_port_t[[:space:]]' | grep -qE '[[:space:],]{node.Port}(,|$)' || {{ echo 'Port {node.Port} is not a postgresql_port_t yet.'; exit 1; }}");
            applies.Add($"semanage port -l | grep -E '^postgresql_port_t[[:space:]]' | grep -qE '[[:space:],]{node.Port}(,|$)' || semanage port -a -t postgresql_port_t -p tcp {node.Port}");
            applies.Add($"echo 'Port {node.Port}/tcp is postgresql_port_t.'");
        }

        return new PlanStep
        {
            Id = $"selinux-{node.Id}",
            Title = $"SELinux: {string.Join(" and ", new[] { l.HasDefaultDataDirectory ? null : $"{l.DataDirectory} as postgresql_db_t", node.Port == 5432 ? null : $"port {node.Port} as postgresql_port_t" }.OfType<string>())}",
            Node = node.Id,
            Description = "Rules in the local SELinux policy (semanage), so the labels survive a relabel of the file system.",
            Check = new PlanCommand(node.Id, string.Join('\n', checks), "root"),
            Apply = [new PlanCommand(node.Id, string.Join('\n', applies), "root")],
        };
    }

    /// <summary>The data directory labelled as the policy says (after initdb or the swap of a clone into place).</summary>
    internal static PlanStep SelinuxLabel(PlanNode node)
    {
        var data = Quote(node.Layout.DataDirectory);
        return new PlanStep
        {
            Id = $"selinux-label-{node.Id}",
            Title = $"SELinux: label {node.Layout.DataDirectory} (restorecon)",
            Node = node.Id,
            Check = new PlanCommand(node.Id, $"if [ -n \"$(restorecon -R -n -v {data})\" ]; then echo 'Some files are not labelled as the policy says.'; exit 1; fi\necho 'Labelled as the policy says.'", "root"),
            Apply = [new PlanCommand(node.Id, $"restorecon -R {data}\necho 'Relabelled {node.Layout.DataDirectory}.'", "root")],
        };
    }
}
