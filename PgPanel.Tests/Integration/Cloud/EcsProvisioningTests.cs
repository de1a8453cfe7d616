using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PgPanel.Core.Cloud.Alibaba;
using PgPanel.Core.Security;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.Integration.Cloud;

/// <summary>
/// The ECS target end to end: the panel talks to the signature-checking fake ECS/VPC endpoint, which hands out the
/// test-bed hosts' addresses as the new instances' private IPs — a centos_7 instance is a CentOS-7-shaped RPM test host
/// (systemd stand-in, firewalld, SELinux tools), others a Debian host; the run then provisions them over SSH to streaming.
/// </summary>
[Collection(TestbedCollection.Name)]
public sealed class EcsProvisioningTests(Testbed bed) : IAsyncLifetime
{
    private const string KeyId = "LTAI5tEcsRunTests";
    private const string KeySecret = "ecs-run-tests-access-key-secret";
    private static readonly string[] SignatureErrors = ["IncompleteSignature", "SignatureDoesNotMatch", "SignatureNonceUsed", "InvalidTimeStamp.Expired", "InvalidAccessKeyId.NotFound"];

    private readonly TestDirectory _directory = new("ecs");
    private FakeAlibabaCloud _cloud = null!;
    private PanelFactory _panel = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        foreach (var i in Hosts)
        {
            await bed.ResetAsync(i);
        }

        _cloud = await FakeAlibabaCloud.StartAsync(new FakeAlibabaCloudOptions(KeyId, KeySecret, [bed.Host(1), bed.Host(2), bed.Host(3)])
        {
            PrivateIpsByImage = new Dictionary<string, IReadOnlyList<string>> { ["centos_7"] = [bed.Host(Testbed.CentOsPrimary), bed.Host(Testbed.CentOsStandby)] },
        });
        _panel = new PanelFactory(_directory.Path, new Dictionary<string, string>
        {
            ["PgPanel:Alibaba:EcsEndpoint"] = _cloud.Endpoint,
            ["PgPanel:Alibaba:VpcEndpoint"] = _cloud.Endpoint,
            ["PgPanel:Alibaba:PollIntervalSeconds"] = "0.2",
            ["PgPanel:Alibaba:BackoffBaseMilliseconds"] = "50",
        });
        _client = _panel.CreateApiClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _panel.DisposeAsync();
        await _cloud.DisposeAsync();
        foreach (var i in Hosts)
        {
            await bed.ResetAsync(i);
        }

        _directory.Dispose();
    }

    private static readonly int[] Hosts = [1, 2, 3, Testbed.CentOsPrimary, Testbed.CentOsStandby];

    /// <summary>A cloud spec; the seed's image (centos-7) lands on the CentOS-7-shaped hosts and installs from the test bed's mirror.</summary>
    private JsonObject Spec(string name, string image = "alinux-3") => new()
    {
        ["name"] = name,
        ["postgresVersion"] = 15,
        ["primary"] = new JsonObject { ["connection"] = bed.RootConnection() },
        ["standbys"] = new JsonArray(new JsonObject { ["connection"] = bed.RootConnection() }),
        ["replication"] = new JsonObject { ["user"] = "replica", ["useSlots"] = true },
        ["packages"] = new JsonObject { ["source"] = "mirror", ["mirrorUrl"] = bed.RepositoryUrl, ["osMirrorUrl"] = bed.OsMirrorUrl(7) },
        ["cloud"] = new JsonObject
        {
            ["provider"] = "alibaba", ["regionId"] = "cn-hangzhou", ["zoneId"] = "cn-hangzhou-h", ["vSwitchId"] = "vsw-fake01",
            ["securityGroupId"] = "sg-fake01", ["instanceType"] = "ecs.g6.large", ["image"] = image, ["useEip"] = true,
            ["connectVia"] = "private", ["keyPairName"] = "pgpanel-testbed", ["accessKeyId"] = KeyId, ["accessKeySecret"] = KeySecret,
        },
    };

    /// <summary>The SQLite files as UTF-8 and UTF-16 text, to look for secrets in.</summary>
    private IEnumerable<string> SqliteTexts()
    {
        foreach (var file in Directory.EnumerateFiles(_directory.Path, "pgpanel.db*"))
        {
            var bytes = File.ReadAllBytes(file);
            yield return System.Text.Encoding.UTF8.GetString(bytes);
            yield return System.Text.Encoding.Unicode.GetString(bytes);
        }
    }

    private static JsonObject Step(JsonObject job, string id) => Api.Steps(job).Single(s => s["stepId"]!.GetValue<string>() == id);

    [Fact]
    public async Task A_full_run_creates_two_instances_opens_5432_attaches_eips_and_streams_over_ssh()
    {
        _cloud.FailNext("RunInstances", "Throttling.User", 400, retryAfterMs: 100);
        var spec = Spec("ecspair", "centos-7");
        var review = await _client.PostAsJsonAsync("/api/plans/review", spec);
        Assert.True(review.IsSuccessStatusCode, await review.Content.ReadAsStringAsync());
        var reviewed = (await review.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Contains(reviewed["cloudCalls"]!.AsArray(), c => c!["action"]!.GetValue<string>() == "AuthorizeSecurityGroup");
        Assert.True(reviewed["preflight"]!.AsArray().Single()!["passed"]!.GetValue<bool>(), reviewed.ToJsonString());
        Assert.Empty(_cloud.Instances);

        var job = await Api.WaitForJobAsync(_client, await Api.StartJobAsync(_client, spec), TimeSpan.FromMinutes(6));
        Assert.True(Api.Status(job) == "succeeded", Api.Describe(job));

        // Two instances, each created once with its own ClientToken; the throttled call was retried with the same token.
        Assert.Equal(2, _cloud.Instances.Count);
        var primary = _cloud.Instances.Single(i => i.InstanceName == "ecspair-primary");
        var standby = _cloud.Instances.Single(i => i.InstanceName == "ecspair-standby-1");
        Assert.Equal((bed.Host(Testbed.CentOsPrimary), bed.Host(Testbed.CentOsStandby)), (primary.PrivateIp, standby.PrivateIp));
        Assert.All(_cloud.Instances, i => Assert.Equal(("ecspair", "pgpanel-testbed", false), (i.Tags["pgpanel:cluster"], i.KeyPairName, i.HasPassword)));
        Assert.NotEqual(primary.ClientToken, standby.ClientToken);
        var runs = _cloud.Calls.Where(c => c.Action == "RunInstances" && !c.Parameters.ContainsKey("DryRun")).ToList();
        Assert.Equal(3, runs.Count);
        Assert.Equal(("Throttling.User", runs[1].Parameters["ClientToken"]), (runs[0].Code, runs[0].Parameters["ClientToken"]));
        Assert.Equal(4, _cloud.Calls.Count(c => c.Action == "RunInstances" && c.Code == "DryRunOperation")); // review, then the run's pre-flight
        Assert.True(_cloud.Calls.First(c => c.Code == "DryRunOperation").Parameters.ContainsKey("InstanceType"));
        Assert.DoesNotContain(_cloud.Calls, c => SignatureErrors.Contains(c.Code));
        Assert.All(_cloud.Calls, c => Assert.Equal("ACS3-HMAC-SHA256", c.SignatureMethod));

        // 5432 opened for the vSwitch, one EIP per instance.
        Assert.Contains(_cloud.Rules, r => r.PortRange == "5432/5432" && r.SourceCidrIp == "10.77.77.0/24" && r.IpProtocol == "TCP");
        Assert.Equal(2, _cloud.Eips.Count);
        Assert.All(_cloud.Eips, e => Assert.Equal("InUse", e.Status));
        Assert.Equal(new[] { primary.InstanceId, standby.InstanceId }.Order(), _cloud.Eips.Select(e => e.InstanceId!).Order());

        // Then SSH provisioning of the CentOS 7 hosts with the RHEL plan, for real: PGDG packages from the mirror through
        // yum, postgresql-15-setup, the postgresql-15 unit, firewalld opened to the peer, to streaming.
        Assert.Equal($"ecspair_standby1|{bed.Host(Testbed.CentOsStandby)}|streaming",
            await bed.QueryAsync(Testbed.CentOsPrimary, "SELECT application_name, client_addr, state FROM pg_stat_replication"));
        Assert.Equal("t", await bed.QueryAsync(Testbed.CentOsStandby, "SELECT pg_is_in_recovery()"));
        Assert.Contains("yum -y --disablerepo='*' --enablerepo='pgpanel-*' install postgresql15-server", Step(job, "install-primary")["commands"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("active", await bed.ExecAsync(Testbed.CentOsStandby, "systemctl is-active postgresql-15"));
        Assert.Contains($"{bed.Host(Testbed.CentOsStandby)}/32", await bed.ExecAsync(Testbed.CentOsPrimary, "firewall-cmd --list-rich-rules"), StringComparison.Ordinal);

        // The run records every cloud call (with RequestIds) and every resource it created; no secret anywhere.
        Assert.Equal(["cloud.preflight", "cloud.instances", "cloud.running", "cloud.port-5432", "cloud.eip", "connect"],
            Api.Steps(job).Take(6).Select(s => s["stepId"]!.GetValue<string>()));
        Assert.Equal("changed", Api.Status(Step(job, "cloud.instances")));
        var instancesOutput = Step(job, "cloud.instances")["output"]!.GetValue<string>();
        Assert.Contains("RequestId", instancesOutput, StringComparison.Ordinal);
        Assert.Contains(primary.InstanceId, instancesOutput, StringComparison.Ordinal);
        Assert.Contains("retry 1 of 3", instancesOutput, StringComparison.Ordinal);
        var text = job.ToJsonString();
        Assert.DoesNotContain(KeySecret, text, StringComparison.Ordinal);
        Assert.DoesNotContain("BEGIN OPENSSH PRIVATE KEY", text, StringComparison.Ordinal);
        var export = await _client.GetStringAsync($"/api/jobs/{job["id"]}/export?format=text");
        Assert.Contains("AuthorizeSecurityGroup", export, StringComparison.Ordinal);
        foreach (var place in new[] { export, string.Join('\n', _panel.Logs.Lines) }.Concat(SqliteTexts()))
        {
            Assert.DoesNotContain(KeySecret, place, StringComparison.Ordinal);
        }

        var resources = (await _client.GetFromJsonAsync<JsonArray>($"/api/jobs/{job["id"]}/cloud-resources"))!;
        Assert.Equal(["eip", "eip", "eip-association", "eip-association", "ingress-rule", "instance", "instance"],
            resources.Select(r => r!["kind"]!.GetValue<string>()).Order());

        // The monitor watches the instances at the addresses the cloud gave them.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string sample;
        do
        {
            await Task.Delay(250);
            var response = await _client.GetAsync("/api/clusters/ecspair/replication");
            sample = response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : "";
        }
        while (!sample.Contains("\"streaming\"", StringComparison.Ordinal) && DateTime.UtcNow < deadline);
        Assert.Contains(bed.Host(Testbed.CentOsPrimary), sample, StringComparison.Ordinal);
        Assert.Contains("\"streaming\"", sample, StringComparison.Ordinal);

        // A second run of the same spec reuses the instances and finds everything in place.
        var before = _cloud.Calls.Count(c => c.Action is "RunInstances" or "AuthorizeSecurityGroup" or "AllocateEipAddress" or "AssociateEipAddress");
        var again = await Api.WaitForJobAsync(_client, await Api.StartJobAsync(_client, spec), TimeSpan.FromMinutes(4));
        Assert.True(Api.Status(again) == "succeeded", Api.Describe(again));
        Assert.All(Api.Steps(again), s => Assert.True(Api.Status(s) == "unchanged", $"{s["stepId"]} was {Api.Status(s)}: {s["output"]}"));
        Assert.Equal(before, _cloud.Calls.Count(c => c.Action is "RunInstances" or "AuthorizeSecurityGroup" or "AllocateEipAddress" or "AssociateEipAddress"));
        Assert.Equal(2, _cloud.Instances.Count);
    }

    [Fact]
    public async Task Release_after_a_failure_removes_exactly_what_the_run_created()
    {
        // Something in the account PgPanel did not create: an instance, and an existing rule.
        var services = new ServiceCollection().AddHttpClient().BuildServiceProvider();
        await using (services.ConfigureAwait(false))
        {
            var client = new AlibabaClient(services.GetRequiredService<IHttpClientFactory>(),
                Options.Create(new AlibabaOptions { EcsEndpoint = _cloud.Endpoint, VpcEndpoint = _cloud.Endpoint }), TimeProvider.System, NullLogger<AlibabaClient>.Instance);
            var session = new AlibabaSession(client, new AlibabaCredentials(KeyId, new Secret(KeySecret)), "cn-hangzhou");
            await session.RunInstanceAsync(new EcsInstanceRequest("bystander", "centos_7_9_x64_20G_alibase_20240628.vhd", "ecs.g6.large", "cn-hangzhou-h",
                "vsw-fake01", "sg-fake01", "cloud_essd", 0, null, new Secret("Bystander-Passw0rd"), "bystander-token", new Dictionary<string, string>()));
        }

        var rulesBefore = _cloud.Rules.ToList();
        _cloud.FailNext("AssociateEipAddress", "Forbidden.RAM", 403);
        var job = await Api.WaitForJobAsync(_client, await Api.StartJobAsync(_client, Spec("ecsfail")), TimeSpan.FromMinutes(3));
        Assert.Equal("failed", Api.Status(job));
        var eipStep = Step(job, "cloud.eip");
        Assert.Equal("failed", Api.Status(eipStep));
        Assert.Contains("Forbidden.RAM", eipStep["output"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("RAM policy", eipStep["output"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("pending", Api.Status(Step(job, "connect")));
        Assert.Equal(3, _cloud.Instances.Count);
        Assert.Single(_cloud.Eips);

        var release = await _client.PostAsync($"/api/jobs/{job["id"]}/release-cloud-resources", null);
        Assert.True(release.IsSuccessStatusCode, await release.Content.ReadAsStringAsync());
        var released = (await release.Content.ReadFromJsonAsync<JsonObject>())!;
        var releaseStep = Step(released, "cloud.release");
        Assert.True(Api.Status(releaseStep) == "changed", releaseStep.ToJsonString());

        Assert.Equal("bystander", Assert.Single(_cloud.Instances).InstanceName);
        Assert.Empty(_cloud.Eips);
        Assert.Equal(rulesBefore.Select(r => r.PortRange).Order(), _cloud.Rules.Select(r => r.PortRange).Order());
        var resources = (await _client.GetFromJsonAsync<JsonArray>($"/api/jobs/{job["id"]}/cloud-resources"))!;
        Assert.Equal(4, resources.Count);
        Assert.All(resources, r => Assert.NotNull(r!["releasedAt"]));
        Assert.Equal(["DeleteInstance", "DeleteInstance"], _cloud.Calls.Where(c => c.Action == "DeleteInstance").Select(c => c.Action));
        Assert.Equal(2, _cloud.Calls.Count(c => c.Action == "DeleteInstance" && c.HttpStatus == 200));

        // Released runs cannot be resumed; a second release has nothing left to do.
        var resume = await _client.PostAsync($"/api/jobs/{job["id"]}/resume", null);
        Assert.Equal(HttpStatusCode.Conflict, resume.StatusCode);
        var calls = _cloud.Calls.Count;
        var twice = await _client.PostAsync($"/api/jobs/{job["id"]}/release-cloud-resources", null);
        Assert.True(twice.IsSuccessStatusCode);
        Assert.Contains("Nothing to release", Api.Steps((await twice.Content.ReadFromJsonAsync<JsonObject>())!).Last()["output"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(calls, _cloud.Calls.Count);
    }

    [Fact]
    public async Task A_failed_run_resumes_from_the_cloud_step_without_creating_anything_twice()
    {
        _cloud.FailNext("AuthorizeSecurityGroup", "Forbidden.RAM", 403);
        var id = await Api.StartJobAsync(_client, Spec("ecsresume"));
        var job = await Api.WaitForJobAsync(_client, id, TimeSpan.FromMinutes(3));
        Assert.Equal("failed", Api.Status(job));
        Assert.Equal("failed", Api.Status(Step(job, "cloud.port-5432")));
        var resume = await _client.PostAsync($"/api/jobs/{id}/resume", null);
        Assert.Equal(HttpStatusCode.Accepted, resume.StatusCode);
        var resumed = await Api.WaitForJobAsync(_client, id, TimeSpan.FromMinutes(4));
        Assert.True(Api.Status(resumed) == "succeeded", Api.Describe(resumed));
        Assert.Equal(2, _cloud.Instances.Count);
        Assert.Equal(2, _cloud.Calls.Count(c => c.Action == "RunInstances" && c.HttpStatus == 200));
        Assert.Contains("created by this run already", Step(resumed, "cloud.instances")["output"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("ecsresume_standby1|" + bed.Host(2) + "|streaming", await bed.QueryAsync(1, "SELECT application_name, client_addr, state FROM pg_stat_replication"));
    }
}
