using System.Text.Json;
using PgPanel.Core.Security;

namespace PgPanel.Core.Cloud.Alibaba;

/// <summary>
/// Finds the AccessKey to use, in this order: entered in the panel (sealed with the cluster), the environment
/// (ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET / ALIBABA_CLOUD_SECURITY_TOKEN), then the CLI profile in
/// ~/.aliyun/config.json (ALIBABA_CLOUD_PROFILE or its "current"; modes AK and StsToken).
/// </summary>
public sealed class AlibabaCredentialResolver(Func<string, string?> environment, string homeDirectory)
{
    public AlibabaCredentialResolver()
        : this(Environment.GetEnvironmentVariable, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile))
    {
    }

    /// <summary>The credentials, or null with the places looked at in <paramref name="lookedAt"/>.</summary>
    public async Task<AlibabaCredentials?> ResolveAsync(AlibabaCredentials? entered, List<string>? lookedAt = null, CancellationToken cancellationToken = default)
    {
        if (entered is not null)
        {
            return entered;
        }

        lookedAt?.Add("the panel (none entered)");
        var id = environment("ALIBABA_CLOUD_ACCESS_KEY_ID");
        var secret = environment("ALIBABA_CLOUD_ACCESS_KEY_SECRET");
        if (!string.IsNullOrWhiteSpace(id) && !string.IsNullOrEmpty(secret))
        {
            var token = environment("ALIBABA_CLOUD_SECURITY_TOKEN");
            return new AlibabaCredentials(id.Trim(), new Secret(secret), string.IsNullOrEmpty(token) ? null : new Secret(token), "environment");
        }

        lookedAt?.Add("ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET (not set)");
        var path = Path.Combine(homeDirectory, ".aliyun", "config.json");
        if (!File.Exists(path))
        {
            lookedAt?.Add($"{path} (missing)");
            return null;
        }

        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false));
        var root = document.RootElement;
        var wanted = environment("ALIBABA_CLOUD_PROFILE") is { Length: > 0 } p ? p : Text(root, "current") ?? "default";
        if (root.TryGetProperty("profiles", out var profiles) && profiles.ValueKind == JsonValueKind.Array)
        {
            foreach (var profile in profiles.EnumerateArray())
            {
                if (Text(profile, "name") != wanted)
                {
                    continue;
                }

                var mode = Text(profile, "mode") ?? "AK";
                var keyId = Text(profile, "access_key_id");
                var keySecret = Text(profile, "access_key_secret");
                if (mode is "AK" or "StsToken" && !string.IsNullOrEmpty(keyId) && !string.IsNullOrEmpty(keySecret))
                {
                    var sts = mode == "StsToken" ? Text(profile, "sts_token") : null;
                    return new AlibabaCredentials(keyId, new Secret(keySecret), string.IsNullOrEmpty(sts) ? null : new Secret(sts), $"{path} profile {wanted}");
                }

                lookedAt?.Add($"{path} profile {wanted} (mode {mode} is not AK or StsToken, or it has no key)");
                return null;
            }
        }

        lookedAt?.Add($"{path} (no profile {wanted})");
        return null;
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
