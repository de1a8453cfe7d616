using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PgPanel.Core.Cloud.Alibaba;
using PgPanel.Core.Security;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.Integration.Cloud;

/// <summary>PgPanel's own Alibaba Cloud client against the signature-checking fake: both signatures, typed errors, retries, ClientToken.</summary>
[Collection(SerialCollection.Name)]
public sealed class AlibabaClientTests : IAsyncLifetime
{
    private const string KeyId = "LTAI5tClientTests";
    private const string KeySecret = "client-tests-secret";

    private FakeAlibabaCloud _cloud = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _cloud = await FakeAlibabaCloud.StartAsync(new FakeAlibabaCloudOptions(KeyId, KeySecret, ["10.77.77.11", "10.77.77.12"]) { PendingDescribes = 1 });
        _services = new ServiceCollection().AddHttpClient().BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _cloud.DisposeAsync();
    }

    private AlibabaSession Session(AcsSignatureVersion version = AcsSignatureVersion.V3, string secret = KeySecret, List<string>? trace = null, int maxRetries = 3)
    {
        var options = Options.Create(new AlibabaOptions
        {
            EcsEndpoint = _cloud.Endpoint, VpcEndpoint = _cloud.Endpoint, SignatureVersion = version, BackoffBaseMilliseconds = 20, MaxRetries = maxRetries,
        });
        var client = new AlibabaClient(_services.GetRequiredService<IHttpClientFactory>(), options, TimeProvider.System, NullLogger<AlibabaClient>.Instance);
        return new AlibabaSession(client, new AlibabaCredentials(KeyId, new Secret(secret)), "cn-hangzhou", trace is null ? null : trace.Add);
    }

    private static EcsInstanceRequest Request(string name, string token, Secret? password = null) => new(
        name, "centos_7_9_x64_20G_alibase_20240628.vhd", "ecs.g6.large", "cn-hangzhou-h", "vsw-fake01", "sg-fake01", "cloud_essd", 0, null,
        password ?? new Secret("Root-Passw0rd-1"), token, new Dictionary<string, string> { ["pgpanel:cluster"] = "t" });

    [Theory]
    [InlineData(AcsSignatureVersion.V3, "ACS3-HMAC-SHA256")]
    [InlineData(AcsSignatureVersion.V1, "HMAC-SHA1")]
    public async Task Both_signatures_are_accepted_by_a_verifying_endpoint(AcsSignatureVersion version, string method)
    {
        var session = Session(version);
        var regions = await session.DescribeRegionsAsync();
        Assert.Contains(regions, r => r.RegionId == "cn-hangzhou");
        var vSwitch = Assert.Single(await session.DescribeVSwitchesAsync(vSwitchId: "vsw-fake01"));
        Assert.Equal(("vpc-fake01", "10.77.77.0/24", "cn-hangzhou-h"), (vSwitch.VpcId, vSwitch.CidrBlock, vSwitch.ZoneId));
        var image = (await session.DescribeImagesAsync("centos_7")).First();
        Assert.Equal("centos_7_9_x64_20G_alibase_20240628.vhd", image.ImageId);
        Assert.All(_cloud.Calls, c => Assert.Equal((method, 200), (c.SignatureMethod, c.HttpStatus)));
    }

    [Fact]
    public async Task A_wrong_secret_is_a_typed_credential_error_and_is_not_retried()
    {
        var error = await Assert.ThrowsAsync<AlibabaApiException>(() => Session(secret: "not-the-secret").DescribeRegionsAsync());
        Assert.Equal("SignatureDoesNotMatch", error.Code);
        Assert.True(error.IsCredentialError);
        Assert.NotNull(error.RequestId);
        Assert.Single(_cloud.Calls);
    }

    [Fact]
    public async Task An_error_that_echoes_the_signed_text_never_carries_the_sts_token()
    {
        await using var sts = await FakeAlibabaCloud.StartAsync(new FakeAlibabaCloudOptions(KeyId, KeySecret, ["10.77.77.11"]) { SecurityToken = "sts-token-value-0123456789" });
        var options = Options.Create(new AlibabaOptions { EcsEndpoint = sts.Endpoint, VpcEndpoint = sts.Endpoint, SignatureVersion = AcsSignatureVersion.V1 });
        var client = new AlibabaClient(_services.GetRequiredService<IHttpClientFactory>(), options, TimeProvider.System, NullLogger<AlibabaClient>.Instance);
        var session = new AlibabaSession(client, new AlibabaCredentials(KeyId, new Secret("not-the-secret"), new Secret("sts-token-value-0123456789")), "cn-hangzhou");

        var error = await Assert.ThrowsAsync<AlibabaApiException>(() => session.DescribeRegionsAsync());
        Assert.Equal("SignatureDoesNotMatch", error.Code);
        Assert.DoesNotContain("sts-token-value-0123456789", error.Message, StringComparison.Ordinal);
        Assert.Contains(Secret.Mask, error.ApiMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Throttling_is_retried_after_the_retry_after_header_with_the_same_client_token_and_creates_one_instance()
    {
        var trace = new List<string>();
        _cloud.FailNext("RunInstances", "Throttling.User", 400, retryAfterMs: 150);
        var started = DateTime.UtcNow;
        var id = await Session(trace: trace).RunInstanceAsync(Request("t-primary", "pgpanel-token-1"));

        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(140), "the retry waited for x-acs-retry-after");
        var runs = _cloud.Calls.Where(c => c.Action == "RunInstances").ToList();
        Assert.Equal([400, 200], runs.Select(c => c.HttpStatus));
        Assert.All(runs, c => Assert.Equal("pgpanel-token-1", c.Parameters["ClientToken"]));
        var instance = Assert.Single(_cloud.Instances);
        Assert.Equal(id, instance.InstanceId);
        Assert.Contains(trace, l => l.Contains("Throttling.User", StringComparison.Ordinal) && l.Contains("retry 1 of 3", StringComparison.Ordinal));
        Assert.All(trace, l => Assert.DoesNotContain("Root-Passw0rd-1", l, StringComparison.Ordinal));
        Assert.Contains(trace, l => l.Contains("Password=********", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_lost_answer_is_retried_with_the_same_client_token_and_returns_the_instance_already_created()
    {
        _cloud.FailNextAfterApply("RunInstances");
        var id = await Session().RunInstanceAsync(Request("t-primary", "pgpanel-token-2"));
        Assert.Equal([503, 200], _cloud.Calls.Where(c => c.Action == "RunInstances").Select(c => c.HttpStatus));
        Assert.Equal(id, Assert.Single(_cloud.Instances).InstanceId);

        // The same token with other parameters is refused, not a second instance.
        var mismatch = await Assert.ThrowsAsync<AlibabaApiException>(() => Session().RunInstanceAsync(Request("t-other", "pgpanel-token-2")));
        Assert.Equal("IdempotentParameterMismatch", mismatch.Code);
        Assert.Single(_cloud.Instances);
    }

    [Fact]
    public async Task Retries_stop_after_the_limit_and_the_last_error_is_thrown()
    {
        for (var i = 0; i < 3; i++)
        {
            _cloud.FailNext("DescribeRegions", "ServiceUnavailable", 503);
        }

        var error = await Assert.ThrowsAsync<AlibabaApiException>(() => Session(maxRetries: 2).DescribeRegionsAsync());
        Assert.Equal("ServiceUnavailable", error.Code);
        Assert.Equal(3, _cloud.Calls.Count);
    }

    [Fact]
    public async Task Dry_run_passes_only_when_the_request_is_valid_and_creates_nothing()
    {
        await Session().DryRunInstanceAsync(Request("t_primary", "unused"));
        var dry = Assert.Single(_cloud.Calls);
        Assert.Equal(("DryRunOperation", "true"), (dry.Code, dry.Parameters["DryRun"]));
        Assert.Equal(("t_primary", "t-primary"), (dry.Parameters["InstanceName"], dry.Parameters["HostName"]));
        Assert.False(dry.Parameters.ContainsKey("ClientToken"));

        var bad = Request("t-primary", "unused") with { ImageId = "no_such_image.vhd" };
        var error = await Assert.ThrowsAsync<AlibabaApiException>(() => Session().DryRunInstanceAsync(bad));
        Assert.Equal("InvalidImageId.NotFound", error.Code);
        Assert.Empty(_cloud.Instances);
    }

    [Fact]
    public async Task Security_group_rules_and_eips_round_trip()
    {
        var session = Session();
        var rule = new EcsIngressRule("TCP", "5432/5432", "10.77.77.0/24", "accept", "test");
        Assert.DoesNotContain(await session.DescribeIngressRulesAsync("sg-fake01"), r => r.Matches(rule));
        await session.AuthorizeIngressAsync("sg-fake01", rule);
        Assert.Contains(await session.DescribeIngressRulesAsync("sg-fake01"), r => r.Matches(rule));
        await session.RevokeIngressAsync("sg-fake01", rule);
        Assert.DoesNotContain(_cloud.Rules, r => r.PortRange == "5432/5432");

        var id = await session.RunInstanceAsync(Request("t-primary", "pgpanel-token-3"));
        EcsInstance instance;
        do
        {
            instance = Assert.Single(await session.DescribeInstancesAsync([id]));
        }
        while (instance.Status != "Running");

        Assert.Equal("10.77.77.11", instance.PrivateIp);
        var eip = await session.AllocateEipAsync("pgpanel-token-3-eip", 5);
        await session.AssociateEipAsync(eip.AllocationId, id);
        Assert.Equal("InUse", (await session.DescribeEipAsync(eip.AllocationId))!.Status);
        Assert.Equal(eip.IpAddress, Assert.Single(await session.DescribeInstancesAsync([id])).EipAddress);
    }
}
