using PgPanel.Core.Security;

namespace PgPanel.Core.Specs;

/// <summary>
/// Moves a spec's secrets out (to be sealed with the cluster) and back in (when a job runs), so that the stored spec
/// never holds one. Names: PGPANEL_REPLICATION_PASSWORD, ssh.&lt;node&gt;.privateKey / passphrase / password / sudoPassword,
/// and cloud.accessKeySecret / securityToken / instancePassword.
/// </summary>
public static class SpecSecrets
{
    public const string CloudAccessKeySecret = "cloud.accessKeySecret";

    public const string CloudSecurityToken = "cloud.securityToken";

    public const string CloudInstancePassword = "cloud.instancePassword";

    public static Dictionary<string, Secret> Extract(ClusterSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var secrets = new Dictionary<string, Secret>(StringComparer.Ordinal);
        if (spec.Replication.Password is { } password)
        {
            secrets[PlanDefaults.ReplicationPasswordSecret] = password;
        }

        if (spec.Cloud is { } cloud)
        {
            Add(secrets, CloudAccessKeySecret, cloud.AccessKeySecret);
            Add(secrets, CloudSecurityToken, cloud.SecurityToken);
            Add(secrets, CloudInstancePassword, cloud.InstancePassword);
        }

        foreach (var id in NodeId.All(spec))
        {
            var connection = id.In(spec).Connection ?? ConnectionSpec.Local;
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
            Cloud = spec.Cloud is not { } cloud ? null : cloud with
            {
                AccessKeySecret = cloud.AccessKeySecret ?? (cloud.AccessKeyId is null ? null : secrets.GetValueOrDefault(CloudAccessKeySecret)),
                SecurityToken = cloud.SecurityToken ?? (cloud.AccessKeyId is null ? null : secrets.GetValueOrDefault(CloudSecurityToken)),
                InstancePassword = cloud.InstancePassword ?? secrets.GetValueOrDefault(CloudInstancePassword),
            },
            Primary = Fill(spec.Primary, NodeId.Primary.ToString()),
            Standbys = spec.Standbys.Select((s, i) => Fill(s, NodeId.StandbyAt(i).ToString())).ToList(),
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
