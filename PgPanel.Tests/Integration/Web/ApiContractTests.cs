using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.Integration.Web;

/// <summary>The REST contract: bearer token, problem details naming bad fields, plans with their script. No job runs here.</summary>
[Collection(SerialCollection.Name)]
public sealed class ApiContractTests() : InProcessPanelTest("api")
{
    [Theory]
    [InlineData("GET", "/api/jobs")]
    [InlineData("POST", "/api/jobs")]
    [InlineData("POST", "/api/plans")]
    [InlineData("GET", "/openapi/v1.json")]
    public async Task Without_a_valid_token_every_api_route_answers_401(string method, string path)
    {
        using var anonymous = Panel.CreateClient();
        var response = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = Json("{}") });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        using var wrong = Panel.CreateClient();
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = Json("{}") })).StatusCode);
    }

    [Fact]
    public async Task Healthz_needs_no_token()
    {
        using var anonymous = Panel.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_api()
    {
        using var client = Panel.CreateApiClient();
        var document = await client.GetStringAsync("/openapi/v1.json");
        Assert.Contains("/api/jobs/{id}/resume", document);
        Assert.Contains("/api/plans", document);
    }

    [Fact]
    public async Task An_invalid_spec_answers_400_naming_each_bad_field()
    {
        using var client = Panel.CreateApiClient();
        var spec = Api.LocalSpec("Bad Name", 0, 5433);
        spec["standbys"]![0]!["host"] = "127.0.0.1; touch /tmp/pwned";
        spec["replication"]!["user"] = "postgres";
        foreach (var path in new[] { "/api/plans", "/api/jobs" })
        {
            var response = await client.PostAsJsonAsync(path, spec);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var errors = (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
            Assert.Contains("name", errors.Select(e => e.Key));
            Assert.Contains("primary.port", errors.Select(e => e.Key));
            Assert.Contains("standbys[0].host", errors.Select(e => e.Key));
            Assert.Contains("replication.user", errors.Select(e => e.Key));
        }

        var jobs = await client.GetFromJsonAsync<JsonArray>("/api/jobs");
        Assert.Empty(jobs!);
    }

    [Theory]
    [InlineData("{\"name\":\"demo\",\"primary\":{\"port\":\"five\"}}", "primary.port")]
    [InlineData("{\"name\":\"demo\",\"postgresVersion\":\"fifteen\"}", "postgresVersion")]
    [InlineData("{\"name\":\"demo\",\"primaryy\":{}}", "primaryy")]
    [InlineData("{\"name\":", "name")]
    [InlineData("[1]", "$")]
    public async Task Malformed_json_answers_400_with_the_field(string body, string field)
    {
        using var client = Panel.CreateApiClient();
        var response = await client.PostAsync("/api/plans", Json(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.Contains(field, errors.Select(e => e.Key));
    }

    [Fact]
    public async Task A_plan_for_remote_hosts_with_a_named_os_is_made_without_reaching_them()
    {
        using var client = Panel.CreateApiClient();
        var spec = JsonNode.Parse(
            """
            {"name":"seed","postgresVersion":9.5,
             "primary":{"host":"192.0.2.10","port":5432,"os":"centos-7","connection":{"kind":"ssh","user":"root","password":"ssh-pass-word-1"}},
             "standbys":[{"host":"192.0.2.11","port":5432,"os":"centos-7","connection":{"kind":"ssh","user":"root","password":"ssh-pass-word-1"}}],
             "replication":{"user":"replica","password":"Replication-Pw-12345"}}
            """)!;
        var response = await client.PostAsJsonAsync("/api/plans", spec);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        var plan = JsonNode.Parse(text)!.AsObject();
        Assert.StartsWith("#!/usr/bin/env bash", plan["script"]!.GetValue<string>());
        Assert.Contains("postgresql95-setup initdb", plan["script"]!.GetValue<string>());
        var steps = plan["steps"]!.AsArray();
        Assert.Contains(steps, s => s!["id"]!.GetValue<string>() == "clone-standby1" && s["commands"]![0]!.GetValue<string>().Contains("pg_basebackup", StringComparison.Ordinal));
        Assert.Contains(steps, s => s!["files"]!.AsArray().Any(f => f!["path"]!.GetValue<string>() == "/var/lib/pgsql/9.5/data/recovery.conf"));
        Assert.DoesNotContain("Replication-Pw-12345", text);
        Assert.DoesNotContain("ssh-pass-word-1", text);
    }

    [Fact]
    public async Task Settings_are_validated_saved_and_kept_across_a_restart()
    {
        using (var client = Panel.CreateApiClient())
        {
            var bad = await client.PutAsJsonAsync("/api/settings", new JsonObject { ["defaultPrimaryPort"] = 70000, ["monitorIntervalSeconds"] = 0.2, ["webhookUrl"] = "file:///etc/passwd" });
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            var errors = (await bad.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key).ToList();
            Assert.Contains("defaultPrimaryPort", errors);
            Assert.Contains("monitorIntervalSeconds", errors);
            Assert.Contains("webhookUrl", errors);

            var good = await client.PutAsJsonAsync("/api/settings", new JsonObject
            {
                ["defaultPostgresVersion"] = 15, ["defaultPrimaryPort"] = 6432, ["defaultStandbyPort"] = 6433,
                ["monitorIntervalSeconds"] = 5, ["lagBytesThreshold"] = 1048576, ["lagSecondsThreshold"] = 10, ["webhookUrl"] = "http://127.0.0.1:9/hook",
            });
            Assert.True(good.IsSuccessStatusCode, await good.Content.ReadAsStringAsync());
        }

        await using var restarted = new PanelFactory(DataDirectory);
        using var again = restarted.CreateApiClient();
        var settings = await again.GetFromJsonAsync<JsonObject>("/api/settings");
        Assert.Equal(6432, settings!["defaultPrimaryPort"]!.GetValue<int>());
        Assert.Equal(5, settings["monitorIntervalSeconds"]!.GetValue<double>());
        Assert.Equal("http://127.0.0.1:9/hook", settings["webhookUrl"]!.GetValue<string>());
        Assert.Equal(15, settings["defaultPostgresVersion"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_unknown_job_is_404()
    {
        using var client = Panel.CreateApiClient();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/jobs/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync($"/api/jobs/{Guid.NewGuid()}/resume", null)).StatusCode);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
