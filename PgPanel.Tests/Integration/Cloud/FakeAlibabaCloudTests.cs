using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using PgPanel.Tests.TestBed;
using PgPanel.Tests.TestBed.FakeCloud;

namespace PgPanel.Tests.Integration.Cloud;

/// <summary>
/// Self-tests of <see cref="FakeAlibabaCloud"/>: its verifier reproduces the published signature vectors, and requests
/// signed by hand here (with a signer private to this file) get the real API's answers.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class FakeAlibabaCloudTests : IAsyncLifetime
{
    private const string KeyId = "LTAI5tFakeAccessKey";
    private const string Secret = "fake-access-key-secret";
    private const string Ecs = "2014-05-26";
    private const string Vpc = "2016-04-28";
    private const string EmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private const string CentOs79 = "centos_7_9_x64_20G_alibase_20240628.vhd";

    private readonly HttpClient _http = new();
    private FakeAlibabaCloud _cloud = null!;

    public async Task InitializeAsync() =>
        _cloud = await FakeAlibabaCloud.StartAsync(new FakeAlibabaCloudOptions(KeyId, Secret, ["10.77.77.11", "10.77.77.12"]));

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _cloud.DisposeAsync();
    }

    [Fact]
    public void The_v3_verifier_reproduces_the_published_vector()
    {
        var signature = AcsSignature.ComputeV3(
            "POST",
            [new("ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"), new("RegionId", "cn-shanghai")],
            [
                new("host", "ecs.cn-shanghai.aliyuncs.com"),
                new("x-acs-action", "RunInstances"),
                new("x-acs-content-sha256", EmptySha256),
                new("x-acs-date", "2023-10-26T10:22:32Z"),
                new("x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"),
                new("x-acs-version", "2014-05-26"),
            ],
            EmptySha256,
            "YourAccessKeySecret");

        Assert.Equal("7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259", signature.HashedCanonicalRequest);
        Assert.Equal("06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0", signature.Signature);
        Assert.Equal("host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version", signature.SignedHeaders);
    }

    [Theory]
    [InlineData("DescribeDedicatedHosts", "JSON", "edb2b34af0af9a6d14deaf7c1a5315eb", "2023-03-13T08:34:30Z", "cn-beijing", "9NaGiOspFP5UPcwX8Iwt2YJXXuk=")]
    [InlineData("DescribeRegions", "XML", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf", "2016-02-23T12:46:24Z", null, "OLeaidS1JvxuMvnyHOwuJ+uX5qY=")]
    public void The_v1_verifier_reproduces_the_published_vectors(string action, string format, string nonce, string timestamp, string? region, string expected)
    {
        var parameters = new Dictionary<string, string>
        {
            ["AccessKeyId"] = "testid",
            ["Action"] = action,
            ["Format"] = format,
            ["SignatureMethod"] = "HMAC-SHA1",
            ["SignatureNonce"] = nonce,
            ["SignatureVersion"] = "1.0",
            ["Timestamp"] = timestamp,
            ["Version"] = "2014-05-26",
        };
        if (region is not null)
        {
            parameters["RegionId"] = region;
        }

        Assert.Equal(expected, AcsSignature.ComputeV1("GET", parameters, "testsecret").Signature);
    }

    [Fact]
    public void Percent_encoding_keeps_only_unreserved_characters()
    {
        const string letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        Assert.Equal(letters + "-_.~%21%40%23%24%25%5E%26%2A%28%29", AcsSignature.PercentEncode(letters + "-_.~!@#$%^&*()"));
        Assert.Equal("a%20b%2Bc%E4%BD%8D", AcsSignature.PercentEncode("a b+c位"));
    }

    [Fact]
    public async Task A_correctly_signed_v3_DescribeRegions_succeeds()
    {
        using var response = await SendV3Async(_cloud, Ecs, "DescribeRegions", []);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await JsonAsync(response);
        Assert.True(Guid.TryParse((string?)body["RequestId"], out _));
        var regions = body["Regions"]!["Region"]!.AsArray();
        Assert.Contains(regions, r => (string?)r!["RegionId"] == "cn-hangzhou" && (string?)r["RegionEndpoint"] == "ecs.cn-hangzhou.aliyuncs.com");
        var call = Assert.Single(_cloud.Calls);
        Assert.Equal(("DescribeRegions", Ecs, "ACS3-HMAC-SHA256", 200, (string?)null), (call.Action, call.Version, call.SignatureMethod, call.HttpStatus, call.Code));
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("POST")]
    public async Task A_correctly_signed_v1_DescribeRegions_succeeds(string method)
    {
        using var response = await SendV1Async(_cloud, method, Ecs, "DescribeRegions", []);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEmpty((await JsonAsync(response))["Regions"]!["Region"]!.AsArray());
        var call = Assert.Single(_cloud.Calls);
        Assert.Equal(("DescribeRegions", "HMAC-SHA1", (string?)null), (call.Action, call.SignatureMethod, call.Code));
        Assert.Equal("JSON", call.Parameters["Format"]);
    }

    [Fact]
    public async Task A_tampered_query_is_answered_SignatureDoesNotMatch_with_the_servers_string_to_sign()
    {
        using var response = await SendV3Async(_cloud, Ecs, "DescribeZones", [("RegionId", "cn-hangzhou")], sentQuery: "RegionId=cn-shanghai");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal("SignatureDoesNotMatch", (string?)body["Code"]);
        Assert.Contains("ACS3-HMAC-SHA256\n", (string?)body["Message"], StringComparison.Ordinal);
        Assert.Contains("RegionId=cn-shanghai", (string?)body["Message"], StringComparison.Ordinal);
        Assert.Equal(new Uri(_cloud.Endpoint).Authority, (string?)body["HostId"]);

        using var v1 = await SendV1Async(_cloud, "GET", Ecs, "DescribeZones", [("RegionId", "cn-hangzhou")], tamper: q => q.Replace("cn-hangzhou", "cn-shanghai", StringComparison.Ordinal));
        Assert.Equal("SignatureDoesNotMatch", await CodeAsync(v1));
        Assert.Equal(["SignatureDoesNotMatch", "SignatureDoesNotMatch"], _cloud.Calls.Select(c => c.Code));
    }

    [Fact]
    public async Task Concurrent_requests_are_all_verified_and_recorded()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => i % 2 == 0
            ? SendV3Async(_cloud, Ecs, "DescribeRegions", [])
            : SendV1Async(_cloud, "GET", Vpc, "DescribeVSwitches", [("RegionId", "cn-hangzhou")])));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(12, _cloud.Calls.Count(c => c.Code is null));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task A_reused_nonce_is_answered_SignatureNonceUsed()
    {
        using var first = await SendV3Async(_cloud, Ecs, "DescribeRegions", [], nonce: "nonce-used-twice");
        using var second = await SendV3Async(_cloud, Ecs, "DescribeRegions", [], nonce: "nonce-used-twice");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        Assert.Equal("SignatureNonceUsed", await CodeAsync(second));
    }

    [Fact]
    public async Task A_date_20_minutes_old_is_answered_InvalidTimeStamp_Expired()
    {
        var old = DateTimeOffset.UtcNow.AddMinutes(-20);
        using var v3 = await SendV3Async(_cloud, Ecs, "DescribeRegions", [], date: old);
        using var v1 = await SendV1Async(_cloud, "GET", Ecs, "DescribeRegions", [], timestamp: old);
        using var fresh = await SendV3Async(_cloud, Ecs, "DescribeRegions", [], date: DateTimeOffset.UtcNow.AddMinutes(-10));

        Assert.Equal(HttpStatusCode.BadRequest, v3.StatusCode);
        Assert.Equal("InvalidTimeStamp.Expired", await CodeAsync(v3));
        Assert.Equal("InvalidTimeStamp.Expired", await CodeAsync(v1));
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }

    [Fact]
    public async Task Missing_signed_headers_and_unknown_keys_are_rejected_before_the_signature()
    {
        using var noNonce = await SendV3Async(_cloud, Ecs, "DescribeRegions", [], omitSignedHeader: "x-acs-signature-nonce");
        using var unknownKey = await SendV3Async(_cloud, Ecs, "DescribeRegions", [], keyId: "LTAI5tSomeoneElse");
        using var unsigned = await _http.PostAsync(_cloud.Endpoint + "/?RegionId=cn-hangzhou", null);

        Assert.Equal(HttpStatusCode.BadRequest, noNonce.StatusCode);
        Assert.Equal("IncompleteSignature", await CodeAsync(noNonce));
        Assert.Equal(HttpStatusCode.NotFound, unknownKey.StatusCode);
        Assert.Equal("InvalidAccessKeyId.NotFound", await CodeAsync(unknownKey));
        Assert.Equal("IncompleteSignature", await CodeAsync(unsigned));
        Assert.Equal(3, _cloud.Calls.Count);
    }

    [Fact]
    public async Task Format_XML_gets_XML_errors_and_answers()
    {
        using var error = await SendV1Async(_cloud, "GET", Ecs, "DescribeRegions", [], format: "XML", secret: "not-the-secret");
        using var success = await SendV1Async(_cloud, "GET", Ecs, "DescribeRegions", [], format: "XML");

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("text/xml", error.Content.Headers.ContentType?.MediaType);
        var root = XDocument.Parse(await error.Content.ReadAsStringAsync()).Root!;
        Assert.Equal("Error", root.Name.LocalName);
        Assert.Equal("SignatureDoesNotMatch", root.Element("Code")?.Value);
        Assert.StartsWith("Specified signature is not matched", root.Element("Message")?.Value, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(root.Element("RequestId")?.Value));
        Assert.False(string.IsNullOrEmpty(root.Element("HostId")?.Value));

        var answer = XDocument.Parse(await success.Content.ReadAsStringAsync()).Root!;
        Assert.Equal("DescribeRegionsResponse", answer.Name.LocalName);
        Assert.Contains(answer.Element("Regions")!.Elements("Region"), r => r.Element("RegionId")?.Value == "cn-hangzhou");

        _cloud.FailNext("DescribeZones", "Throttling.User", xml: true);
        using var injected = await SendV3Async(_cloud, Ecs, "DescribeZones", [("RegionId", "cn-hangzhou")]);
        Assert.Equal("Throttling.User", XDocument.Parse(await injected.Content.ReadAsStringAsync()).Root!.Element("Code")?.Value);
    }

    [Fact]
    public async Task A_DryRun_RunInstances_answers_DryRunOperation_and_creates_nothing()
    {
        using var dryRun = await SendV3Async(_cloud, Ecs, "RunInstances", Run(("DryRun", "true")));

        Assert.Equal(HttpStatusCode.BadRequest, dryRun.StatusCode);
        var body = await JsonAsync(dryRun);
        Assert.Equal("DryRunOperation", (string?)body["Code"]);
        Assert.Equal("Request validation has been passed with DryRun flag set.", (string?)body["Message"]);
        Assert.Empty(_cloud.Instances);

        using var invalid = await SendV3Async(_cloud, Ecs, "RunInstances", Run(("DryRun", "true"), ("ImageId", "no_such_image.vhd")));
        Assert.Equal("InvalidImageId.NotFound", await CodeAsync(invalid));
        Assert.Empty(_cloud.Instances);
    }

    [Fact]
    public async Task A_new_instance_reports_Pending_then_Starting_then_Running()
    {
        using var run = await SendV3Async(_cloud, Ecs, "RunInstances", Run(("Tag.1.Key", "pgpanel"), ("Tag.1.Value", "primary"), ("Password", "Str0ng!pass")));
        var id = (string?)(await JsonAsync(run))["InstanceIdSets"]!["InstanceIdSet"]![0];
        Assert.Equal("i-fake000001", id);

        var statuses = new List<string?>();
        JsonNode? instance = null;
        for (var i = 0; i < 4; i++)
        {
            using var describe = await SendV3Async(_cloud, Ecs, "DescribeInstances", [("RegionId", "cn-hangzhou"), ("InstanceIds", $"[\"{id}\"]")]);
            var body = await JsonAsync(describe);
            Assert.Equal(1, (int?)body["TotalCount"]);
            instance = body["Instances"]!["Instance"]![0];
            statuses.Add((string?)instance!["Status"]);
        }

        Assert.Equal(["Pending", "Pending", "Starting", "Running"], statuses);
        Assert.Equal("10.77.77.11", (string?)instance!["VpcAttributes"]!["PrivateIpAddress"]!["IpAddress"]![0]);
        Assert.Equal("vpc-fake01", (string?)instance["VpcAttributes"]!["VpcId"]);
        Assert.Equal("primary", (string?)instance["Tags"]!["Tag"]![0]!["TagValue"]);
        var fake = Assert.Single(_cloud.Instances);
        Assert.Equal(("Running", "pg-primary", true, CentOs79), (fake.Status, fake.InstanceName, fake.HasPassword, fake.ImageId));
    }

    [Fact]
    public async Task The_same_ClientToken_returns_the_same_instance_and_a_changed_request_is_a_mismatch()
    {
        using var first = await SendV3Async(_cloud, Ecs, "RunInstances", Run(("ClientToken", "run-0001")));
        using var retry = await SendV1Async(_cloud, "POST", Ecs, "RunInstances", Run(("ClientToken", "run-0001")));
        using var changed = await SendV3Async(_cloud, Ecs, "RunInstances", Run(("ClientToken", "run-0001"), ("InstanceName", "pg-standby")));

        var firstIds = (await JsonAsync(first))["InstanceIdSets"]!["InstanceIdSet"]!.ToJsonString();
        Assert.Equal(firstIds, (await JsonAsync(retry))["InstanceIdSets"]!["InstanceIdSet"]!.ToJsonString());
        Assert.Equal(HttpStatusCode.BadRequest, changed.StatusCode);
        Assert.Equal("IdempotentParameterMismatch", await CodeAsync(changed));
        var instance = Assert.Single(_cloud.Instances);
        Assert.Equal("run-0001", instance.ClientToken);
    }

    [Fact]
    public async Task FailNext_rejects_the_next_call_with_a_retry_after_header_without_applying()
    {
        _cloud.FailNext("RunInstances", "Throttling.User", 400, retryAfterMs: 1500);

        using var throttled = await SendV3Async(_cloud, Ecs, "RunInstances", Run(("ClientToken", "run-throttled")));
        Assert.Equal(HttpStatusCode.BadRequest, throttled.StatusCode);
        Assert.Equal(["1500"], throttled.Headers.GetValues("x-acs-retry-after"));
        Assert.Equal("Throttling.User", await CodeAsync(throttled));
        Assert.Empty(_cloud.Instances);

        using var retried = await SendV3Async(_cloud, Ecs, "RunInstances", Run(("ClientToken", "run-throttled")));
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.False(retried.Headers.Contains("x-acs-retry-after"));
        Assert.Single(_cloud.Instances);
        Assert.Equal([400, 200], _cloud.Calls.Select(c => c.HttpStatus));
    }

    [Fact]
    public async Task FailNextAfterApply_applies_and_then_answers_the_error()
    {
        _cloud.FailNextAfterApply("AllocateEipAddress");

        using var lost = await SendV3Async(_cloud, Vpc, "AllocateEipAddress", [("RegionId", "cn-hangzhou"), ("ClientToken", "eip-0001")]);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, lost.StatusCode);
        Assert.Equal("ServiceUnavailable", await CodeAsync(lost));
        var eip = Assert.Single(_cloud.Eips);

        using var retry = await SendV3Async(_cloud, Vpc, "AllocateEipAddress", [("RegionId", "cn-hangzhou"), ("ClientToken", "eip-0001")]);
        var body = await JsonAsync(retry);
        Assert.Equal((eip.AllocationId, "10.77.77.201"), ((string?)body["AllocationId"], (string?)body["EipAddress"]));
        Assert.Single(_cloud.Eips);
    }

    [Fact]
    public async Task Unknown_actions_and_missing_parameters_are_named()
    {
        using var missing = await SendV3Async(_cloud, Ecs, "RunInstances", [.. Run().Where(p => p.Key != "ImageId")]);
        using var unknown = await SendV3Async(_cloud, Ecs, "AllocateEipAddress", [("RegionId", "cn-hangzhou")]);

        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        var body = await JsonAsync(missing);
        Assert.Equal("MissingParameter", (string?)body["Code"]);
        Assert.Equal("The input parameter \"ImageId\" that is mandatory for processing this request is not supplied.", (string?)body["Message"]);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("InvalidAction.NotFound", await CodeAsync(unknown));
    }

    [Fact]
    public async Task RunInstances_checks_the_network_and_the_private_address_quota()
    {
        using var otherVpc = await SendV3Async(_cloud, Ecs, "RunInstances", Run(("SecurityGroupId", "sg-other")));
        using var noVSwitch = await SendV3Async(_cloud, Ecs, "RunInstances", Run(("VSwitchId", "vsw-missing")));
        using var two = await SendV3Async(_cloud, Ecs, "RunInstances", Run(("Amount", "2")));
        using var third = await SendV3Async(_cloud, Ecs, "RunInstances", Run());

        Assert.Equal("InvalidSecurityGroupId.NotBelongToVpc", await CodeAsync(otherVpc));
        Assert.Equal("InvalidVSwitchId.NotFound", await CodeAsync(noVSwitch));
        Assert.Equal(2, (await JsonAsync(two))["InstanceIdSets"]!["InstanceIdSet"]!.AsArray().Count);
        Assert.Equal(HttpStatusCode.Forbidden, third.StatusCode);
        Assert.Equal("QuotaExceed.ElasticQuota", await CodeAsync(third));
        Assert.Equal(["10.77.77.11", "10.77.77.12"], _cloud.Instances.Select(i => i.PrivateIp));
    }

    [Fact]
    public async Task An_eip_binds_only_to_a_running_instance_and_is_freed_when_the_instance_is_deleted()
    {
        using var run = await SendV3Async(_cloud, Ecs, "RunInstances", Run());
        var instanceId = (string)(await JsonAsync(run))["InstanceIdSets"]!["InstanceIdSet"]![0]!;
        using var allocate = await SendV3Async(_cloud, Vpc, "AllocateEipAddress", [("RegionId", "cn-hangzhou"), ("Bandwidth", "5")]);
        var allocationId = (string)(await JsonAsync(allocate))["AllocationId"]!;
        (string, string)[] associate = [("RegionId", "cn-hangzhou"), ("AllocationId", allocationId), ("InstanceId", instanceId)];

        using var tooEarly = await SendV3Async(_cloud, Vpc, "AssociateEipAddress", associate);
        Assert.Equal("IncorrectInstanceStatus", await CodeAsync(tooEarly));

        JsonNode? instance = null;
        for (var i = 0; i < 4; i++)
        {
            using var describe = await SendV3Async(_cloud, Ecs, "DescribeInstances", [("RegionId", "cn-hangzhou")]);
            instance = (await JsonAsync(describe))["Instances"]!["Instance"]![0];
        }

        Assert.Equal("Running", (string?)instance!["Status"]);
        using var bound = await SendV3Async(_cloud, Vpc, "AssociateEipAddress", associate);
        using var boundAgain = await SendV3Async(_cloud, Vpc, "AssociateEipAddress", associate);
        Assert.Equal(HttpStatusCode.OK, bound.StatusCode);
        Assert.Equal(HttpStatusCode.OK, boundAgain.StatusCode);
        using var described = await SendV3Async(_cloud, Ecs, "DescribeInstances", [("RegionId", "cn-hangzhou"), ("InstanceIds", $"[\"{instanceId}\"]")]);
        Assert.Equal("10.77.77.201", (string?)(await JsonAsync(described))["Instances"]!["Instance"]![0]!["EipAddress"]!["IpAddress"]);

        using var releaseInUse = await SendV3Async(_cloud, Vpc, "ReleaseEipAddress", [("RegionId", "cn-hangzhou"), ("AllocationId", allocationId)]);
        Assert.Equal("IncorrectEipStatus", await CodeAsync(releaseInUse));
        using var deleteRunning = await SendV3Async(_cloud, Ecs, "DeleteInstance", [("InstanceId", instanceId)]);
        Assert.Equal(HttpStatusCode.Forbidden, deleteRunning.StatusCode);
        Assert.Equal("IncorrectInstanceStatus", await CodeAsync(deleteRunning));

        using var delete = await SendV3Async(_cloud, Ecs, "DeleteInstance", [("InstanceId", instanceId), ("Force", "true")]);
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        Assert.Empty(_cloud.Instances);
        Assert.Equal(new FakeEip(allocationId, "10.77.77.201", "Available", null, 5, "PayByBandwidth", null), Assert.Single(_cloud.Eips));

        using var release = await SendV3Async(_cloud, Vpc, "ReleaseEipAddress", [("RegionId", "cn-hangzhou"), ("AllocationId", allocationId)]);
        using var releaseAgain = await SendV3Async(_cloud, Vpc, "ReleaseEipAddress", [("RegionId", "cn-hangzhou"), ("AllocationId", allocationId)]);
        Assert.Equal(HttpStatusCode.OK, release.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, releaseAgain.StatusCode);
        Assert.Equal("InvalidAllocationId.NotFound", await CodeAsync(releaseAgain));
        Assert.Empty(_cloud.Eips);
    }

    [Fact]
    public async Task Authorizing_and_revoking_a_rule_are_idempotent_and_keep_existing_rules()
    {
        (string, string)[] rule =
        [
            ("RegionId", "cn-hangzhou"), ("SecurityGroupId", "sg-fake01"), ("Permissions.1.IpProtocol", "TCP"),
            ("Permissions.1.PortRange", "5432/5432"), ("Permissions.1.SourceCidrIp", "203.0.113.7/32"),
            ("Permissions.1.Policy", "accept"), ("Permissions.1.Description", "PgPanel: PostgreSQL"),
        ];

        using var first = await SendV3Async(_cloud, Ecs, "AuthorizeSecurityGroup", rule);
        using var again = await SendV3Async(_cloud, Ecs, "AuthorizeSecurityGroup", rule);
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, again.StatusCode));
        Assert.Equal(
            [new FakeRule("TCP", "22/22", "0.0.0.0/0", "Accept", "System created rule.", "sg-fake01"), new FakeRule("TCP", "5432/5432", "203.0.113.7/32", "Accept", "PgPanel: PostgreSQL", "sg-fake01")],
            _cloud.Rules);

        using var attribute = await SendV3Async(_cloud, Ecs, "DescribeSecurityGroupAttribute", [("RegionId", "cn-hangzhou"), ("SecurityGroupId", "sg-fake01"), ("Direction", "ingress")]);
        var permissions = (await JsonAsync(attribute))["Permissions"]!["Permission"]!.AsArray();
        Assert.Contains(permissions, p => (string?)p!["PortRange"] == "5432/5432" && (string?)p["Policy"] == "Accept" && (string?)p["Direction"] == "ingress");

        using var revoke = await SendV3Async(_cloud, Ecs, "RevokeSecurityGroup", rule);
        using var revokeAgain = await SendV3Async(_cloud, Ecs, "RevokeSecurityGroup", rule);
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (revoke.StatusCode, revokeAgain.StatusCode));
        Assert.Equal(["22/22"], _cloud.Rules.Select(r => r.PortRange));

        using var unknown = await SendV3Async(_cloud, Ecs, "DescribeSecurityGroupAttribute", [("RegionId", "cn-hangzhou"), ("SecurityGroupId", "sg-missing")]);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("InvalidSecurityGroupId.NotFound", await CodeAsync(unknown));
    }

    [Fact]
    public async Task An_sts_credential_needs_its_token_signed()
    {
        await using var sts = await FakeAlibabaCloud.StartAsync(new FakeAlibabaCloudOptions(KeyId, Secret, ["10.77.77.11"]) { SecurityToken = "sts-token-1" });

        using var without = await SendV3Async(sts, Ecs, "DescribeRegions", []);
        using var wrong = await SendV3Async(sts, Ecs, "DescribeRegions", [], securityToken: "sts-token-2");
        using var right = await SendV3Async(sts, Ecs, "DescribeRegions", [], securityToken: "sts-token-1");
        using var v1Without = await SendV1Async(sts, "GET", Ecs, "DescribeRegions", []);
        using var v1Right = await SendV1Async(sts, "GET", Ecs, "DescribeRegions", [], securityToken: "sts-token-1");

        Assert.Equal("IncompleteSignature", await CodeAsync(without));
        Assert.Equal("InvalidSecurityToken.MismatchWithAccessKey", await CodeAsync(wrong));
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Equal("InvalidSecurityToken.MismatchWithAccessKey", await CodeAsync(v1Without));
        Assert.Equal(HttpStatusCode.OK, v1Right.StatusCode);
    }

    [Fact]
    public async Task The_vpc_api_describes_the_vswitches_and_filters_system_images()
    {
        using var vSwitches = await SendV3Async(_cloud, Vpc, "DescribeVSwitches", [("RegionId", "cn-hangzhou"), ("VpcId", "vpc-fake01")]);
        var vSwitch = Assert.Single((await JsonAsync(vSwitches))["VSwitches"]!["VSwitch"]!.AsArray())!;
        Assert.Equal(("vsw-fake01", "cn-hangzhou-h", "10.77.77.0/24"), ((string?)vSwitch["VSwitchId"], (string?)vSwitch["ZoneId"], (string?)vSwitch["CidrBlock"]));

        using var images = await SendV3Async(_cloud, Ecs, "DescribeImages",
            [("RegionId", "cn-hangzhou"), ("ImageOwnerAlias", "system"), ("OSType", "linux"), ("Architecture", "x86_64"), ("ImageName", "centos_7*")]);
        var body = await JsonAsync(images);
        Assert.Equal(2, (int?)body["TotalCount"]);
        Assert.Equal([CentOs79, "centos_7_8_x64_20G_alibase_20200914.vhd"], body["Images"]!["Image"]!.AsArray().Select(i => (string?)i!["ImageId"]));
        Assert.Equal("CentOS  7.9 64位", (string?)body["Images"]!["Image"]![0]!["OSName"]);
    }

    private static (string Key, string Value)[] Run(params (string Key, string Value)[] overrides)
    {
        var parameters = new Dictionary<string, string>
        {
            ["RegionId"] = "cn-hangzhou",
            ["ImageId"] = CentOs79,
            ["InstanceType"] = "ecs.g6.large",
            ["SecurityGroupId"] = "sg-fake01",
            ["VSwitchId"] = "vsw-fake01",
            ["InstanceName"] = "pg-primary",
            ["InternetMaxBandwidthOut"] = "0",
            ["SystemDisk.Category"] = "cloud_essd",
        };
        foreach (var (key, value) in overrides)
        {
            parameters[key] = value;
        }

        return [.. parameters.Select(p => (p.Key, p.Value))];
    }

    /// <summary>Signs a V3 (ACS3-HMAC-SHA256) RPC request by hand, as the published specification says, and sends it.</summary>
    private async Task<HttpResponseMessage> SendV3Async(
        FakeAlibabaCloud cloud,
        string version,
        string action,
        IEnumerable<(string Key, string Value)> query,
        string? sentQuery = null,
        string? nonce = null,
        DateTimeOffset? date = null,
        string keyId = KeyId,
        string? securityToken = null,
        string? omitSignedHeader = null)
    {
        var endpoint = new Uri(cloud.Endpoint);
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = endpoint.Authority,
            ["x-acs-action"] = action,
            ["x-acs-content-sha256"] = EmptySha256,
            ["x-acs-date"] = Timestamp(date ?? DateTimeOffset.UtcNow),
            ["x-acs-signature-nonce"] = nonce ?? Guid.NewGuid().ToString("N"),
            ["x-acs-version"] = version,
        };
        if (securityToken is not null)
        {
            headers["x-acs-security-token"] = securityToken;
        }

        var signed = headers.Where(h => h.Key != omitSignedHeader).ToList();
        var canonicalQuery = Canonical(query);
        var canonicalRequest = "POST\n/\n" + canonicalQuery + "\n" + string.Concat(signed.Select(h => $"{h.Key}:{h.Value}\n"))
            + "\n" + string.Join(';', signed.Select(h => h.Key)) + "\n" + EmptySha256;
        var stringToSign = "ACS3-HMAC-SHA256\n" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)));
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(stringToSign)));

        using var request = new HttpRequestMessage(HttpMethod.Post, $"{cloud.Endpoint}/?{sentQuery ?? canonicalQuery}");
        foreach (var (name, value) in headers.Where(h => h.Key != "host"))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        request.Headers.TryAddWithoutValidation("Authorization",
            $"ACS3-HMAC-SHA256 Credential={keyId},SignedHeaders={string.Join(';', signed.Select(h => h.Key))},Signature={signature}");
        return await _http.SendAsync(request);
    }

    /// <summary>Signs a V1 (HMAC-SHA1) RPC request by hand and sends it; <paramref name="tamper"/> edits the query after signing.</summary>
    private async Task<HttpResponseMessage> SendV1Async(
        FakeAlibabaCloud cloud,
        string method,
        string version,
        string action,
        IEnumerable<(string Key, string Value)> query,
        string format = "JSON",
        DateTimeOffset? timestamp = null,
        string secret = Secret,
        string? securityToken = null,
        Func<string, string>? tamper = null)
    {
        var parameters = new List<(string Key, string Value)>(query)
        {
            ("Action", action),
            ("Version", version),
            ("Format", format),
            ("AccessKeyId", KeyId),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
            ("SignatureNonce", Guid.NewGuid().ToString()),
            ("Timestamp", Timestamp(timestamp ?? DateTimeOffset.UtcNow)),
        };
        if (securityToken is not null)
        {
            parameters.Add(("SecurityToken", securityToken));
        }

        var canonical = Canonical(parameters);
        var stringToSign = method + "&%2F&" + Uri.EscapeDataString(canonical);
        var signature = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret + "&"), Encoding.UTF8.GetBytes(stringToSign)));
        var sent = canonical + "&Signature=" + Uri.EscapeDataString(signature);
        using var request = new HttpRequestMessage(new HttpMethod(method), $"{cloud.Endpoint}/?{tamper?.Invoke(sent) ?? sent}");
        return await _http.SendAsync(request);
    }

    private static string Canonical(IEnumerable<(string Key, string Value)> parameters) =>
        string.Join('&', parameters
            .Select(p => (Key: Uri.EscapeDataString(p.Key), Value: Uri.EscapeDataString(p.Value)))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => p.Key + "=" + p.Value));

    private static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static async Task<JsonNode> JsonAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync()) ?? throw new InvalidOperationException("The fake answered an empty body.");

    private static async Task<string?> CodeAsync(HttpResponseMessage response) => (string?)(await JsonAsync(response))["Code"];
}
