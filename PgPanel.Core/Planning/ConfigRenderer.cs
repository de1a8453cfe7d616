using System.Globalization;
using System.Net;
using System.Text;
using PgPanel.Core.Security;
using PgPanel.Core.Specs;

namespace PgPanel.Core.Planning;

/// <summary>Renders whole configuration files (settings include, pg_hba.conf, recovery.conf) for one node. Pure.</summary>
public static class ConfigRenderer
{
    /// <summary>
    /// Settings every node carries, so a standby is already a correct primary after a switchover.
    /// <paramref name="slotWalBudget"/> caps the WAL slots may hold on 13+ (max_slot_wal_keep_size): a standby gone for
    /// good then loses its slot instead of filling the primary's disk.
    /// </summary>
    public static List<KeyValuePair<string, string>> CommonSettings(ClusterSpec spec, string? slotWalBudget = null)
    {
        var v = spec.PostgresVersion;
        var settings = new List<KeyValuePair<string, string>>
        {
            new("wal_level", v <= PgVersion.V9_5 ? "hot_standby" : "replica"),
            new("synchronous_commit", "on"),
            new("max_wal_senders", PlanDefaults.MaxWalSenders.ToString(CultureInfo.InvariantCulture)),
            new("wal_sender_timeout", PlanDefaults.WalSenderTimeout),
            new("max_connections", PlanDefaults.MaxConnections.ToString(CultureInfo.InvariantCulture)),
            new("max_replication_slots", PlanDefaults.MaxReplicationSlots.ToString(CultureInfo.InvariantCulture)),
            new("hot_standby", "on"),
            new("wal_log_hints", "on"),
        };

        if (!spec.Replication.UseSlots)
        {
            settings.Add(v >= PgVersion.Of(13) ? new("wal_keep_size", "1GB") : new("wal_keep_segments", "64"));
        }

        if (v >= PgVersion.Of(10))
        {
            settings.Add(new("password_encryption", "scram-sha-256"));
        }

        if (spec.Replication.UseSlots && v >= PgVersion.Of(13))
        {
            settings.Add(new("max_slot_wal_keep_size", slotWalBudget ?? DefaultSlotWalBudget));
        }

        return settings;
    }

    /// <summary>max_slot_wal_keep_size when the primary's file system size is not known (a plan made without reaching it).</summary>
    public const string DefaultSlotWalBudget = "10GB";

    /// <summary>
    /// max_slot_wal_keep_size from the size of the primary's file system: a quarter of it in whole GB, at least 1 GB and at
    /// most 1 TB. The size of the file system, not its free space, so that a second run renders the same file.
    /// </summary>
    public static string SlotWalBudget(long? fileSystemBytes) => fileSystemBytes is { } bytes
        ? $"{Math.Clamp(bytes / 4 / (1024L * 1024 * 1024), 1, 1024)}GB"
        : DefaultSlotWalBudget;

    /// <summary>The primary's settings file: node settings, common settings, then the spec's primary overrides.</summary>
    public static string PrimarySettings(ClusterSpec spec, PlanNode node, string? slotWalBudget = null)
    {
        var values = NodeSettings(node);
        Merge(values, CommonSettings(spec, slotWalBudget));
        Merge(values, spec.Settings.Primary);
        return RenderSettings(spec, node, values, "primary");
    }

    /// <summary>
    /// A standby's settings file: as the primary (its overrides too, so max_connections and the like are never lower),
    /// then the seed's standby parameters, the standby overrides and, on 12+, the connection to the primary.
    /// </summary>
    public static string StandbySettings(ClusterSpec spec, PlanNode node, PlanNode primary, string? slotWalBudget = null)
    {
        var values = NodeSettings(node);
        Merge(values, CommonSettings(spec, slotWalBudget));
        Merge(values, spec.Settings.Primary.Where(kv => kv.Key != "listen_addresses"));
        Merge(values,
        [
            new("hot_standby", "on"),
            new("max_standby_streaming_delay", PlanDefaults.MaxStandbyStreamingDelay),
            new("wal_receiver_status_interval", PlanDefaults.WalReceiverStatusInterval),
            new("hot_standby_feedback", "on"),
        ]);
        Merge(values, spec.Settings.Standby);
        if (spec.PostgresVersion >= PgVersion.Of(12))
        {
            Merge(values, StandbyConnection(spec, node, primary));
        }

        return RenderSettings(spec, node, values, "standby");
    }

    /// <summary>recovery.conf for 9.5 … 11, as the seed writes it plus the slot.</summary>
    public static string RecoveryConf(ClusterSpec spec, PlanNode node, PlanNode primary)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# recovery.conf for standby {node.Id} of PgPanel cluster \"{spec.Name}\", rendered whole by PgPanel.\n");
        text.Append("standby_mode = 'on'\n");
        foreach (var (key, value) in StandbyConnection(spec, node, primary))
        {
            text.Append(CultureInfo.InvariantCulture, $"{key} = {SqlQuote.ConfigValue(value)}\n");
        }

        return text.ToString();
    }

    /// <summary>pg_hba.conf, the same on every node: local peer, loopback, and replication from each node's /32.</summary>
    /// <param name="panelAddresses">Where the panel's monitor connects from, as the hosts see it (127.0.0.1 is always allowed).</param>
    public static string Hba(ClusterSpec spec, IReadOnlyList<PlanNode> nodes, IReadOnlyList<string>? panelAddresses = null)
    {
        var method = spec.PostgresVersion >= PgVersion.Of(10) ? "scram-sha-256" : "md5";
        var user = SqlQuote.Identifier(spec.Replication.User);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# pg_hba.conf of PgPanel cluster \"{spec.Name}\" (PostgreSQL {spec.PostgresVersion}), rendered whole by PgPanel.\n");
        text.Append("# Replication is allowed only from the cluster's own nodes, each by its /32, so a switchover needs no edit.\n");
        text.Append("# TYPE  DATABASE     USER            ADDRESS                  METHOD\n");
        text.Append("local   all          all                                      peer\n");
        text.Append(CultureInfo.InvariantCulture, $"host    all          all             127.0.0.1/32             {method}\n");
        text.Append(CultureInfo.InvariantCulture, $"host    all          all             ::1/128                  {method}\n");
        text.Append("local   replication  all                                      peer\n");
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "127.0.0.1/32" };
        text.Append(CultureInfo.InvariantCulture, $"host    replication  {user,-15} {"127.0.0.1/32",-24} {method}\n");
        foreach (var node in nodes)
        {
            var address = HbaAddress(node.ReplicationHost);
            if (seen.Add(address))
            {
                text.Append(CultureInfo.InvariantCulture, $"host    replication  {user,-15} {address,-24} {method}   # {node.Id}\n");
            }
        }

        var monitor = SqlQuote.Identifier(PlanDefaults.MonitorRole);
        foreach (var address in new[] { "127.0.0.1/32" }.Concat((panelAddresses ?? []).Select(HbaAddress)).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            text.Append(CultureInfo.InvariantCulture, $"host    postgres     {monitor,-15} {address,-24} {method}   # PgPanel monitor\n");
        }

        return text.ToString();
    }

    /// <summary>The standby's application_name and slot name: "demo_standby1".</summary>
    public static string StandbyName(ClusterSpec spec, string nodeId) => $"{spec.Name.Replace('-', '_')}_{nodeId}";

    public static string HbaAddress(string host)
    {
        if (IPAddress.TryParse(host, out var ip))
        {
            return ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"{ip}/128" : $"{ip}/32";
        }

        return host;
    }

    /// <summary>A conninfo string with only the options every version's walreceiver knows.</summary>
    public static string PrimaryConninfo(ClusterSpec spec, string standbyId, PlanNode primary) =>
        $"host={primary.ReplicationHost} port={primary.Port} user={spec.Replication.User} " +
        $"password={PlanFile.SecretPlaceholder(PlanDefaults.ReplicationPasswordSecret)} application_name={StandbyName(spec, standbyId)}";

    private static List<KeyValuePair<string, string>> StandbyConnection(ClusterSpec spec, PlanNode node, PlanNode primary)
    {
        var values = new List<KeyValuePair<string, string>> { new("primary_conninfo", PrimaryConninfo(spec, node.Id, primary)) };
        if (spec.Replication.UseSlots)
        {
            values.Add(new("primary_slot_name", StandbyName(spec, node.Id)));
        }

        values.Add(new("recovery_target_timeline", "latest"));
        return values;
    }

    private static OrderedDictionary<string, string> NodeSettings(PlanNode node)
    {
        var listen = IPAddress.TryParse(node.ReplicationHost, out var ip) && IPAddress.IsLoopback(ip) ? node.ReplicationHost : $"127.0.0.1,{node.ReplicationHost}";
        if (node.ReplicationHost == "127.0.0.1")
        {
            listen = "127.0.0.1";
        }

        return new OrderedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["listen_addresses"] = listen,
            ["port"] = node.Port.ToString(CultureInfo.InvariantCulture),
            ["unix_socket_directories"] = node.Layout.SocketDirectory,
        };
    }

    /// <summary>Later values win, in the order keys first appeared; linear in the number of settings.</summary>
    private static void Merge(OrderedDictionary<string, string> target, IEnumerable<KeyValuePair<string, string>> values)
    {
        foreach (var (key, value) in values)
        {
            target[key] = value;
        }
    }

    private static string RenderSettings(ClusterSpec spec, PlanNode node, OrderedDictionary<string, string> values, string role)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# Settings of node {node.Id} ({role}) of PgPanel cluster \"{spec.Name}\" (PostgreSQL {spec.PostgresVersion}).\n");
        text.Append("# Rendered whole by PgPanel and included from postgresql.conf; edits are overwritten on the next run.\n");
        foreach (var (key, value) in values)
        {
            text.Append(CultureInfo.InvariantCulture, $"{key} = {SqlQuote.ConfigValue(value)}\n");
        }

        return text.ToString();
    }
}
