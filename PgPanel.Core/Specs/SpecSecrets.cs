using PgPanel.Core.Planning;
using PgPanel.Core.Security;

namespace PgPanel.Core.Specs;

/// <summary>
/// Moves a spec's secrets out (to be sealed with the cluster) and back in (when a job runs), so that the stored spec
/// never holds one. Names: PGPANEL_REPLICATION_PASSWORD, and ssh.&lt;node&gt;.privateKey / passphrase / password / sudoPassword.
/// </summary>
public static class SpecSecrets
{
    public static Dictionary<string, Secret> Extract(ClusterSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var secrets = new Dictionary<string, Secret>(StringComparer.Ordinal);
        if (spec.Replication.Password is { } password)
        {
            secrets[PlanDefaults.ReplicationPasswordSecret] = password;
        }

        foreach (var id in Planner.NodeIds(spec))
        {
            var connection = Planner.NodeSpecOf(spec, id).Connection ?? ConnectionSpec.Local;
            Add(secrets, $"ssh.{id}.privateKey", connection.PrivateKey);
            Add(secrets, $"ssh.{id}.passphrase", connection.Passphrase);
            Add(secrets, $"ssh.{id}.password", connection.Password);
            Add(secrets, $"ssh.{id}.sudoPassword", connection.SudoPassword);
        }

        return secrets;
    }

    /// <summary>The spec with every SSH secret filled from <paramref name="secrets"/> where the spec has none.</summary>
    public static ClusterSpec Apply(ClusterSpec spec, IReadOnlyDictionary<string, Secret> secrets)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(secrets);
        NodeSpec Fill(NodeSpec node, string id)
        {
            var c = node.Connection ?? ConnectionSpec.Local;
            return node with
            {
                Connection = c with
                {
                    PrivateKey = c.PrivateKey ?? secrets.GetValueOrDefault($"ssh.{id}.privateKey"),
                    Passphrase = c.Passphrase ?? secrets.GetValueOrDefault($"ssh.{id}.passphrase"),
                    Password = c.Password ?? secrets.GetValueOrDefault($"ssh.{id}.password"),
                    SudoPassword = c.SudoPassword ?? secrets.GetValueOrDefault($"ssh.{id}.sudoPassword"),
                },
            };
        }

        return spec with
        {
            Primary = Fill(spec.Primary, Planner.PrimaryId),
            Standbys = spec.Standbys.Select((s, i) => Fill(s, $"standby{i + 1}")).ToList(),
        };
    }

    private static void Add(Dictionary<string, Secret> secrets, string name, Secret? value)
    {
        if (value is not null)
        {
            secrets[name] = value;
        }
    }
}
