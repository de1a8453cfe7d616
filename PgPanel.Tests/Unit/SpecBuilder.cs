using PgPanel.Core.Security;
using PgPanel.Core.Specs;

namespace PgPanel.Tests.Unit;

/// <summary>Specs for planner tests: two hosts over SSH with a given OS, or a local pair.</summary>
internal static class SpecBuilder
{
    public static ClusterSpec Remote(string os, PgVersion version, bool slots = true, bool synchronous = false,
        IReadOnlyDictionary<string, string>? primarySettings = null, IReadOnlyDictionary<string, string>? standbySettings = null) => new()
    {
        Name = "seed",
        PostgresVersion = version,
        Primary = new NodeSpec { Host = "192.168.0.10", Port = 5432, Os = os, Connection = Ssh() },
        Standbys = [new NodeSpec { Host = "192.168.0.11", Port = 5432, Os = os, Connection = Ssh() }],
        Replication = new ReplicationSpec { User = "replica", Synchronous = synchronous, UseSlots = slots },
        Settings = new SettingsSpec
        {
            Primary = primarySettings ?? new Dictionary<string, string>(),
            Standby = standbySettings ?? new Dictionary<string, string>(),
        },
    };

    public static ClusterSpec Local(PgVersion version) => new()
    {
        Name = "demo",
        PostgresVersion = version,
        Primary = new NodeSpec { Host = "127.0.0.1", Port = 5432 },
        Standbys = [new NodeSpec { Host = "127.0.0.1", Port = 5433 }],
    };

    private static ConnectionSpec Ssh() => new() { Kind = ConnectionKind.Ssh, Port = 22, User = "root", Password = new Secret("ssh-password-1") };
}
