using PgPanel.Core.Hosts;
using PgPanel.Core.Security;
using PgPanel.Core.Specs;

namespace PgPanel.Web.Components.Pages.Wizard;

/// <summary>Everything the wizard collects, kept while the user moves back and forth; <see cref="ToSpec"/> makes the contract.</summary>
public sealed class WizardModel
{
    public WizardTarget Target { get; set; } = WizardTarget.Local;

    public string Name { get; set; } = "demo";

    public WizardNode Primary { get; } = new() { Host = "127.0.0.1", Port = 5432 };

    public WizardNode Standby { get; } = new() { Host = "127.0.0.1", Port = 5433 };

    public PgVersion Version { get; set; } = PgVersion.Of(15);

    public string ReplicationUser { get; set; } = "replica";

    public string? ReplicationPassword { get; set; }

    public bool Synchronous { get; set; }

    public bool UseSlots { get; set; } = true;

    public int MaxWalSenders { get; set; } = PlanDefaults.MaxWalSenders;

    public string WalSenderTimeout { get; set; } = PlanDefaults.WalSenderTimeout;

    public int MaxConnections { get; set; } = PlanDefaults.MaxConnections;

    public string MaxStandbyStreamingDelay { get; set; } = PlanDefaults.MaxStandbyStreamingDelay;

    public string WalReceiverStatusInterval { get; set; } = PlanDefaults.WalReceiverStatusInterval;

    public bool HotStandbyFeedback { get; set; } = true;

    /// <summary>Where hosts without PostgreSQL install it from.</summary>
    public PackageSourceKind PackageSource { get; set; } = PackageSourceKind.Upstream;

    public string? MirrorUrl { get; set; }

    public string? OsMirrorUrl { get; set; }

    public WizardCloud Cloud { get; } = new();

    public IEnumerable<WizardNode> Nodes => [Primary, Standby];

    private (int Primary, int Standby) _localPorts = (5432, 5433);

    /// <summary>The ports the local target proposes (from Settings).</summary>
    public void SetLocalPorts(int primary, int standby)
    {
        _localPorts = (primary, standby);
        if (Target == WizardTarget.Local)
        {
            (Primary.Port, Standby.Port) = _localPorts;
        }
    }

    /// <summary>Switches the hosts to the target's defaults, keeping what the user typed for the same target.</summary>
    public void UseTarget(WizardTarget target)
    {
        if (target == Target)
        {
            return;
        }

        Target = target;
        foreach (var node in Nodes)
        {
            node.Probe = null;
        }

        if (target == WizardTarget.Local)
        {
            (Primary.Host, Primary.Port, Standby.Host, Standby.Port) = ("127.0.0.1", _localPorts.Primary, "127.0.0.1", _localPorts.Standby);
        }
        else
        {
            (Primary.Host, Primary.Port, Standby.Host, Standby.Port) = ("", 5432, "", 5432);
        }
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    public ClusterSpec ToSpec() => new()
    {
        Name = Name.Trim(),
        PostgresVersion = Version,
        Primary = Target == WizardTarget.AlibabaEcs ? new NodeSpec { Host = "", Port = Primary.Port, DataDirectory = Blank(Primary.DataDirectory), Connection = Cloud.NodeConnection() } : Primary.ToSpec(Target),
        Standbys = [Target == WizardTarget.AlibabaEcs ? new NodeSpec { Host = "", Port = Standby.Port, DataDirectory = Blank(Standby.DataDirectory), Connection = Cloud.NodeConnection() } : Standby.ToSpec(Target)],
        Cloud = Target == WizardTarget.AlibabaEcs ? Cloud.ToSpec() : null,
        Packages = PackageSource == PackageSourceKind.Upstream && Blank(MirrorUrl) is null && Blank(OsMirrorUrl) is null
            ? null
            : new PackageSourceSpec
            {
                Source = PackageSource,
                MirrorUrl = PackageSource == PackageSourceKind.Mirror ? Blank(MirrorUrl)?.TrimEnd('/') : null,
                OsMirrorUrl = PackageSource == PackageSourceKind.Mirror ? Blank(OsMirrorUrl)?.TrimEnd('/') : null,
            },
        Replication = new ReplicationSpec
        {
            User = ReplicationUser.Trim(),
            Password = string.IsNullOrEmpty(ReplicationPassword) ? null : new Secret(ReplicationPassword),
            Synchronous = Synchronous,
            UseSlots = UseSlots,
        },
        Settings = new SettingsSpec
        {
            Primary = new Dictionary<string, string>
            {
                ["max_wal_senders"] = MaxWalSenders.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["wal_sender_timeout"] = WalSenderTimeout,
                ["max_connections"] = MaxConnections.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            Standby = new Dictionary<string, string>
            {
                ["max_standby_streaming_delay"] = MaxStandbyStreamingDelay,
                ["wal_receiver_status_interval"] = WalReceiverStatusInterval,
                ["hot_standby_feedback"] = HotStandbyFeedback ? "on" : "off",
            },
        },
    };
}

/// <summary>Where the pair goes.</summary>
public enum WizardTarget
{
    Local,
    Ssh,
    AlibabaEcs,
}

/// <summary>One node as the wizard edits it.</summary>
public sealed class WizardNode
{
    public string Host { get; set; } = "";

    public int Port { get; set; } = 5432;

    public string? DataDirectory { get; set; }

    public int SshPort { get; set; } = 22;

    public string SshUser { get; set; } = "root";

    public bool UseKey { get; set; } = true;

    public string? PrivateKey { get; set; }

    public string? Passphrase { get; set; }

    public string? Password { get; set; }

    public string? SudoPassword { get; set; }

    /// <summary>The host key the user confirmed after Test connection.</summary>
    public string? TrustedFingerprint { get; set; }

    public HostProbeResult? Probe { get; set; }

    public NodeSpec ToSpec(WizardTarget target) => new()
    {
        Host = Host.Trim(),
        Port = Port,
        DataDirectory = string.IsNullOrWhiteSpace(DataDirectory) ? null : DataDirectory.Trim(),
        Connection = target == WizardTarget.Local
            ? ConnectionSpec.Local
            : new ConnectionSpec
            {
                Kind = ConnectionKind.Ssh,
                Port = SshPort,
                User = SshUser.Trim(),
                PrivateKey = UseKey && !string.IsNullOrWhiteSpace(PrivateKey) ? new Secret(PrivateKey) : null,
                Passphrase = UseKey && !string.IsNullOrEmpty(Passphrase) ? new Secret(Passphrase) : null,
                Password = !UseKey && !string.IsNullOrEmpty(Password) ? new Secret(Password) : null,
                SudoPassword = string.IsNullOrEmpty(SudoPassword) ? null : new Secret(SudoPassword),
                HostKeyFingerprint = TrustedFingerprint,
            },
    };
}
