using PgPanel.Core.Cloud.Alibaba;
using PgPanel.Core.Security;

namespace PgPanel.Tests.Unit.Cloud;

/// <summary>Both Alibaba Cloud signatures against the vectors Alibaba publishes, and the percent-encoder's check.</summary>
public sealed class AcsSignerTests
{
    [Fact]
    public void Percent_encoder_passes_the_published_check()
    {
        const string letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        Assert.Equal(letters + "-_.~%21%40%23%24%25%5E%26%2A%28%29", AcsPercentEncoder.Encode(letters + "-_.~!@#$%^&*()"));
        Assert.Equal("a%20b%2Bc%2Fd%3D%E4%B8%AD", AcsPercentEncoder.Encode("a b+c/d=中"));
    }

    [Fact]
    public void V3_reproduces_the_published_vector()
    {
        var signature = AcsSigner.SignV3(
            "POST", "ecs.cn-shanghai.aliyuncs.com", "RunInstances", "2014-05-26",
            new Dictionary<string, string>
            {
                ["ImageId"] = "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
                ["RegionId"] = "cn-shanghai",
            },
            new AlibabaCredentials("YourAccessKeyId", new Secret("YourAccessKeySecret")),
            DateTimeOffset.Parse("2023-10-26T10:22:32Z", System.Globalization.CultureInfo.InvariantCulture),
            "3156853299f313e23d1673dc12e1703d");

        Assert.Equal("7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259", signature.HashedCanonicalRequest);
        Assert.Equal("06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0", signature.Signature);
        Assert.Equal("host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version", signature.SignedHeaders);
        Assert.Equal(
            "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version," +
            "Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0",
            signature.Headers["Authorization"]);
    }

    [Fact]
    public void V3_signs_the_security_token_header_with_sts_credentials()
    {
        var signature = AcsSigner.SignV3("POST", "127.0.0.1:8080", "DescribeRegions", "2014-05-26", [],
            new AlibabaCredentials("STS.id", new Secret("s"), new Secret("token-value")), DateTimeOffset.UnixEpoch, "n");
        Assert.Equal("host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version", signature.SignedHeaders);
        Assert.Contains("host:127.0.0.1:8080\n", signature.CanonicalRequest, StringComparison.Ordinal);
        Assert.Equal("token-value", signature.Headers["x-acs-security-token"]);
    }

    [Theory]
    [InlineData("DescribeDedicatedHosts", "JSON", "cn-beijing", "edb2b34af0af9a6d14deaf7c1a5315eb", "2023-03-13T08:34:30Z", "9NaGiOspFP5UPcwX8Iwt2YJXXuk=")]
    [InlineData("DescribeRegions", "XML", null, "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf", "2016-02-23T12:46:24Z", "OLeaidS1JvxuMvnyHOwuJ+uX5qY=")]
    public void V1_reproduces_the_published_vectors(string action, string format, string? region, string nonce, string timestamp, string expected)
    {
        var query = new Dictionary<string, string>();
        if (region is not null)
        {
            query["RegionId"] = region;
        }

        var parameters = AcsSigner.SignV1("GET", action, "2014-05-26", query, new AlibabaCredentials("testid", new Secret("testsecret")),
            DateTimeOffset.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture), nonce, format);

        Assert.Equal(expected, parameters["Signature"]);
        Assert.Equal("HMAC-SHA1", parameters["SignatureMethod"]);
        Assert.Equal(timestamp, parameters["Timestamp"]);
    }

    [Fact]
    public void Error_bodies_in_json_and_xml_become_typed_errors()
    {
        var json = AlibabaClient.ParseError("""{"RequestId":"R-1","HostId":"ecs.aliyuncs.com","Code":"Throttling.User","Message":"Request was denied due to user flow control."}""", 400, "RunInstances");
        Assert.Equal(("Throttling.User", "R-1", 400), (json.Code, json.RequestId, json.HttpStatus));
        Assert.True(json.IsRetryable);
        Assert.False(json.IsCredentialError);

        var xml = AlibabaClient.ParseError("<?xml version='1.0' encoding='UTF-8'?><Error><RequestId>R-2</RequestId><HostId>ecs</HostId><Code>SignatureDoesNotMatch</Code><Message>Specified signature is not matched.</Message></Error>", 400, "DescribeRegions");
        Assert.Equal(("SignatureDoesNotMatch", "R-2"), (xml.Code, xml.RequestId));
        Assert.True(xml.IsCredentialError);
        Assert.False(xml.IsRetryable);

        var html = AlibabaClient.ParseError("<html>bad gateway</html>", 502, "DescribeRegions");
        Assert.Equal("Http502", html.Code);
        Assert.True(html.IsRetryable);

        var dry = AlibabaClient.ParseError("""{"Code":"DryRunOperation","Message":"Request validation has been passed with DryRun flag set."}""", 400, "RunInstances");
        Assert.True(dry.IsDryRunPassed);
    }
}
