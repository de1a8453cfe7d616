using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using PgPanel.Core;
using PgPanel.Core.Specs;
using PgPanel.Web.Api;

namespace PgPanel.Tests.Unit.Cloud;

/// <summary>
/// The cloud's fixed choices (image line, which address the panel dials) are enums in code and the same text as before
/// in the API, the job history and exports; anything else is refused by the JSON reader on its field.
/// </summary>
public sealed class CloudChoiceJsonTests
{
    [Theory]
    [InlineData(CloudConnectVia.Private, "private")]
    [InlineData(CloudConnectVia.Public, "public")]
    [InlineData(CloudConnectVia.Eip, "eip")]
    public void Each_connection_is_written_and_read_back_as_its_text(CloudConnectVia via, string text)
    {
        var json = PanelJson.Serialize(CloudSpecTests.Ecs().Cloud! with { ConnectVia = via });
        Assert.Equal(text, (string?)JsonNode.Parse(json)!["connectVia"]);
        Assert.Equal(via, PanelJson.Deserialize<CloudSpec>(json).ConnectVia);
    }

    [Theory]
    [InlineData(CloudImage.Centos7, "centos-7")]
    [InlineData(CloudImage.Alinux3, "alinux-3")]
    public void Each_image_line_is_written_and_read_back_as_its_text(CloudImage image, string text)
    {
        var json = PanelJson.Serialize(CloudSpecTests.Ecs().Cloud! with { Image = image });
        Assert.Equal(text, (string?)JsonNode.Parse(json)!["image"]);
        Assert.Equal(image, PanelJson.Deserialize<CloudSpec>(json).Image);
    }

    [Fact]
    public void No_image_line_is_written_as_null_and_read_back()
    {
        var json = PanelJson.Serialize(CloudSpecTests.Ecs().Cloud! with { Image = null, ImageId = "m-bp1abc" });
        Assert.Contains("\"image\":null", json, StringComparison.Ordinal);
        Assert.Null(PanelJson.Deserialize<CloudSpec>(json).Image);
    }

    [Fact]
    public void A_spec_stored_before_the_enums_still_loads()
    {
        // As JobService stored it in the job history (and the cluster's record) before the choices became enums.
        const string stored = """
            {"name":"seed","postgresVersion":"15","primary":{"host":null,"port":5432},"standbys":[{"host":null,"port":5432}],
             "cloud":{"provider":"alibaba","regionId":"cn-hangzhou","zoneId":"cn-hangzhou-h","vSwitchId":"vsw-bp1abc",
             "securityGroupId":"sg-bp1abc","instanceType":"ecs.g6.large","image":"alinux-3","imageId":null,
             "systemDiskCategory":"cloud_essd","useEip":true,"eipBandwidth":5,"connectVia":"eip","instancePassword":null,
             "keyPairName":null,"accessKeyId":null,"accessKeySecret":null,"securityToken":null}}
            """;
        var cloud = PanelJson.Deserialize<ClusterSpec>(stored).Cloud!;
        Assert.Equal(CloudImage.Alinux3, cloud.Image);
        Assert.Equal(CloudConnectVia.Eip, cloud.ConnectVia);

        // Written again, the same text comes out.
        var again = JsonNode.Parse(PanelJson.Serialize(cloud))!;
        Assert.Equal("alinux-3", (string?)again["image"]);
        Assert.Equal("eip", (string?)again["connectVia"]);
    }

    [Fact]
    public void A_spec_without_the_choices_gets_the_seeds_defaults()
    {
        var cloud = PanelJson.Deserialize<CloudSpec>("""{"regionId":"cn-hangzhou"}""");
        Assert.Equal(CloudImage.Centos7, cloud.Image);
        Assert.Equal(CloudConnectVia.Private, cloud.ConnectVia);
    }

    public static TheoryData<string, string> NotAChoice => new()
    {
        { "connectVia", "\"carrier-pigeon\"" },
        { "connectVia", "\"Private\"" },
        { "connectVia", "\"EIP\"" },
        { "connectVia", "\"private, eip\"" },
        { "connectVia", "\"Eip\"" },
        { "connectVia", "\"2\"" },
        { "connectVia", "2" },
        { "connectVia", "null" },
        { "connectVia", "true" },
        { "connectVia", "[\"eip\"]" },
        { "image", "\"windows\"" },
        { "image", "\"Centos7\"" },
        { "image", "\"centos7\"" },
        { "image", "\"CENTOS-7\"" },
        { "image", "1" },
        { "image", "{}" },
    };

    [Theory]
    [MemberData(nameof(NotAChoice))]
    public void A_value_outside_the_choice_is_a_json_error_on_its_field(string field, string json)
    {
        var error = Assert.Throws<JsonException>(() => PanelJson.Deserialize<ClusterSpec>(SpecWith(field, json)));
        Assert.Equal($"$.cloud.{field}", error.Path);
        Assert.StartsWith("Choose one of ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("connectVia")]
    [InlineData("image")]
    public void Every_hostile_value_in_a_choice_is_refused_by_the_reader_without_echoing_it(string field)
    {
        foreach (var value in TestBed.HostileCorpus.Values)
        {
            var error = Assert.Throws<JsonException>(() => PanelJson.Deserialize<ClusterSpec>(SpecWith(field, JsonSerializer.Serialize(value))));
            Assert.Equal($"$.cloud.{field}", error.Path);
            var message = error.Message.Split(" Path:", 2)[0];
            Assert.True(value.Length < 3 || !message.Contains(value, StringComparison.Ordinal), $"{field}: the error repeats '{value}'");
        }
    }

    [Theory]
    [InlineData("connectVia", "\"carrier-pigeon\"", "Choose one of private, public, eip.")]
    [InlineData("image", "\"$(reboot)\"", "Choose one of centos-7, alinux-3.")]
    public async Task The_api_answers_a_value_outside_the_choice_with_a_field_error(string field, string json, string message)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(SpecWith(field, json)));
        var (spec, problem) = await SpecReader.ReadAsync(context.Request, CancellationToken.None);

        Assert.Null(spec);
        var details = Assert.IsType<HttpValidationProblemDetails>(Assert.IsType<ProblemHttpResult>(problem).ProblemDetails);
        Assert.Equal([message], details.Errors[$"cloud.{field}"]);
    }

    private static string SpecWith(string field, string json)
    {
        var spec = JsonNode.Parse(PanelJson.Serialize(CloudSpecTests.Ecs()))!.AsObject();
        spec["cloud"]![field] = JsonNode.Parse(json);
        return spec.ToJsonString();
    }
}
