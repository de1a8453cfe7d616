using System.Security.Cryptography;
using System.Text;
using PgPanel.Core.Planning;
using PgPanel.Core.Specs;

namespace PgPanel.Core.Runs;

/// <summary>
/// What a spec for an existing cluster changes, against the cluster's stored spec: every difference a DBA should see
/// before a run (ports, hosts, versions, settings, replication), which nodes restart, and which slots are dropped. A
/// change that restarts a node, moves a node or drops a slot needs a confirmation, with a token that confirms exactly
/// that: a hash of the cluster, the stored spec and the changes, so a different spec or a changed cluster needs a new one.
/// </summary>
public sealed record ClusterChanges(string ClusterName, IReadOnlyList<string> Items, IReadOnlyList<string> Restarts, IReadOnlyList<string> DropSlots, string Token)
{
    /// <summary>Whether the run may start only with <see cref="Token"/>.</summary>
    public bool NeedsConfirmation => Token.Length > 0;

    public static ClusterChanges None(string clusterName) => new(clusterName, [], [], [], "");

    /// <summary>Compares the stored spec of a cluster (null: a new cluster) with the one asked for.</summary>
    public static ClusterChanges Between(string? storedSpecJson, ClusterSpec next)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (storedSpecJson is null)
        {
            return None(next.Name);
        }

        var stored = PanelJson.Deserialize<ClusterSpec>(storedSpecJson);
        var items = new List<string>();
        var restarts = new SortedSet<string>(StringComparer.Ordinal);
        var dropSlots = new List<string>();
        var moves = false;
        var standbyIds = next.Standbys.Select((_, i) => NodeId.StandbyAt(i).ToString()).ToList();

        if (stored.PostgresVersion != next.PostgresVersion)
        {
            items.Add($"PostgreSQL {stored.PostgresVersion} → {next.PostgresVersion}: a new {next.PostgresVersion} cluster is made on every node; the {stored.PostgresVersion} data stays where it is");
            restarts.Add(Planner.PrimaryId);
            restarts.UnionWith(standbyIds);
        }

        // Nodes: an address the cloud phase filled in is not a change the DBA asked for.
        var nodes = new List<(string Id, NodeSpec? Before, NodeSpec After)> { (NodeId.Primary.ToString(), stored.Primary, next.Primary) };
        nodes.AddRange(next.Standbys.Select((n, i) => (NodeId.StandbyAt(i).ToString(), i < stored.Standbys.Count ? stored.Standbys[i] : null, n)));
        foreach (var (id, before, after) in nodes)
        {
            if (before is null)
            {
                items.Add($"{id} is added on {after.Host}:{after.Port}: it is cloned from the primary");
                continue;
            }

            if (next.Cloud is null && !string.Equals(before.Host, after.Host, StringComparison.OrdinalIgnoreCase))
            {
                items.Add($"{id} moves from {before.Host} to {after.Host}: a new node is set up there; PostgreSQL on {before.Host} is left running as it is");
                moves = true;
            }
            else if (before.Port != after.Port)
            {
                items.Add($"{id} port {before.Port} → {after.Port}: PostgreSQL on {after.Host} restarts on the new port; clients must follow");
                restarts.Add(id);
                if (id == Planner.PrimaryId)
                {
                    // The standbys' primary_conninfo names the primary's port.
                    restarts.UnionWith(standbyIds.Take(Math.Min(next.Standbys.Count, stored.Standbys.Count)));
                }
            }

            if (!string.Equals(before.DataDirectory ?? "", after.DataDirectory ?? "", StringComparison.Ordinal))
            {
                items.Add($"{id} data directory {before.DataDirectory ?? "(default)"} → {after.DataDirectory ?? "(default)"}: a new cluster is made there; the old directory stays");
                restarts.Add(id);
            }
        }

        void Settings(string side, IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after, IEnumerable<string> nodesOfSide)
        {
            var changed = false;
            foreach (var key in before.Keys.Union(after.Keys).Order(StringComparer.Ordinal))
            {
                var (had, was) = (before.TryGetValue(key, out var b), b);
                var (has, now) = (after.TryGetValue(key, out var a), a);
                if (had && has && string.Equals(was, now, StringComparison.Ordinal))
                {
                    continue;
                }

                changed = true;
                items.Add(!had ? $"{side}: set {key} = {now}" : !has ? $"{side}: {key} = {was} removed (back to the default)" : $"{side}: {key} {was} → {now}");
            }

            if (changed)
            {
                restarts.UnionWith(nodesOfSide);
            }
        }

        Settings("primary settings", stored.Settings.Primary, next.Settings.Primary, [Planner.PrimaryId]);
        Settings("standby settings", stored.Settings.Standby, next.Settings.Standby, standbyIds.Take(Math.Min(next.Standbys.Count, stored.Standbys.Count)));

        if (!string.Equals(stored.Replication.User, next.Replication.User, StringComparison.Ordinal))
        {
            items.Add($"replication user {stored.Replication.User} → {next.Replication.User}: the new role is made; {stored.Replication.User} stays");
        }

        if (stored.Replication.Synchronous != next.Replication.Synchronous)
        {
            items.Add($"synchronous replication {(next.Replication.Synchronous ? "on" : "off")}: the primary reloads synchronous_standby_names");
        }

        if (next.Replication.UseSlots || stored.Replication.UseSlots)
        {
            // A standby that left the spec keeps its slot on the primary, and the slot keeps WAL for it until the disk is full.
            for (var i = next.Replication.UseSlots ? next.Standbys.Count : 0; i < stored.Standbys.Count; i++)
            {
                var id = NodeId.StandbyAt(i).ToString();
                var slot = ConfigRenderer.StandbyName(next, id);
                dropSlots.Add(slot);
                items.Add($"drop replication slot {slot}: {id} ({stored.Standbys[i].Host}:{stored.Standbys[i].Port}) " +
                          $"{(i >= next.Standbys.Count ? "left the spec" : "no longer uses a slot")}; its data directory stays where it is");
            }
        }

        var confirm = restarts.Count > 0 || dropSlots.Count > 0 || moves;
        var token = !confirm
            ? ""
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{next.Name}\n{storedSpecJson}\n{string.Join('\n', items)}\n{string.Join(',', restarts)}")))[..24];
        return new ClusterChanges(next.Name, items, [.. restarts], dropSlots, token);
    }
}
