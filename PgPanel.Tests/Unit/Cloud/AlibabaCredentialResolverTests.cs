using PgPanel.Core.Cloud.Alibaba;
using PgPanel.Core.Security;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.Unit.Cloud;

public sealed class AlibabaCredentialResolverTests
{
    [Fact]
    public async Task Entered_credentials_win_then_the_environment_then_the_cli_profile()
    {
        using var home = new TestDirectory("aliyun");
        var env = new Dictionary<string, string?>
        {
            ["ALIBABA_CLOUD_ACCESS_KEY_ID"] = "LTAIenvironment1",
            ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = "env-secret",
            ["ALIBABA_CLOUD_SECURITY_TOKEN"] = "env-token",
        };
        var resolver = new AlibabaCredentialResolver(name => env.GetValueOrDefault(name), home.Path);

        var entered = await resolver.ResolveAsync(new AlibabaCredentials("LTAIentered00001", new Secret("typed")));
        Assert.Equal(("LTAIentered00001", "panel"), (entered!.AccessKeyId, entered.Source));

        var fromEnvironment = await resolver.ResolveAsync(null);
        Assert.Equal(("LTAIenvironment1", "env-secret", "env-token", "environment"),
            (fromEnvironment!.AccessKeyId, fromEnvironment.AccessKeySecret.Reveal(), fromEnvironment.SecurityToken!.Reveal(), fromEnvironment.Source));

        env.Clear();
        Directory.CreateDirectory(Path.Combine(home.Path, ".aliyun"));
        await File.WriteAllTextAsync(Path.Combine(home.Path, ".aliyun", "config.json"), """
            {"current":"work","profiles":[
              {"name":"default","mode":"AK","access_key_id":"LTAIdefault00001","access_key_secret":"default-secret"},
              {"name":"work","mode":"StsToken","access_key_id":"STS.work0000001","access_key_secret":"work-secret","sts_token":"work-token"},
              {"name":"ram","mode":"RamRoleArn","access_key_id":"LTAIram000000001","access_key_secret":"x"}]}
            """);
        var current = await resolver.ResolveAsync(null);
        Assert.Equal(("STS.work0000001", "work-secret", "work-token"), (current!.AccessKeyId, current.AccessKeySecret.Reveal(), current.SecurityToken!.Reveal()));

        env["ALIBABA_CLOUD_PROFILE"] = "default";
        var chosen = await resolver.ResolveAsync(null);
        Assert.Equal("LTAIdefault00001", chosen!.AccessKeyId);
        Assert.Null(chosen.SecurityToken);

        env["ALIBABA_CLOUD_PROFILE"] = "ram";
        var lookedAt = new List<string>();
        Assert.Null(await resolver.ResolveAsync(null, lookedAt));
        Assert.Contains(lookedAt, l => l.Contains("RamRoleArn", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Nothing_found_names_every_place_looked_at()
    {
        using var home = new TestDirectory("aliyun");
        var lookedAt = new List<string>();
        Assert.Null(await new AlibabaCredentialResolver(_ => null, home.Path).ResolveAsync(null, lookedAt));
        Assert.Equal(3, lookedAt.Count);
        Assert.Contains(lookedAt, l => l.Contains("config.json (missing)", StringComparison.Ordinal));
    }

    [Fact]
    public void Masked_key_id_shows_only_its_ends()
    {
        Assert.Equal("LTAI…9Xyz", new AlibabaCredentials("LTAI5tAbCdEfGh9Xyz", new Secret("s")).MaskedKeyId);
    }
}
