using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using PgPanel.Core;

namespace PgPanel.Tests.TestBed;

/// <summary>Calls of the REST API the tests make, as an outside client would: JSON in, JSON out.</summary>
public static class Api
{
    public static readonly string[] Terminal = ["succeeded", "failed", "cancelled", "interrupted"];

    public static JsonObject LocalSpec(string name, int primaryPort, int standbyPort, string? password = null) => new()
    {
        ["name"] = name,
        ["postgresVersion"] = 15,
        ["primary"] = new JsonObject { ["host"] = "127.0.0.1", ["port"] = primaryPort, ["connection"] = new JsonObject { ["kind"] = "local" } },
        ["standbys"] = new JsonArray(new JsonObject { ["host"] = "127.0.0.1", ["port"] = standbyPort, ["connection"] = new JsonObject { ["kind"] = "local" } }),
        ["replication"] = new JsonObject { ["user"] = "replica", ["password"] = password, ["synchronous"] = false, ["useSlots"] = true },
    };

    public static async Task<Guid> StartJobAsync(HttpClient client, JsonObject spec)
    {
        var response = await client.PostAsJsonAsync("/api/jobs", spec);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /api/jobs answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        return Guid.Parse(body!["id"]!.GetValue<string>());
    }

    public static async Task<JsonObject> GetJobAsync(HttpClient client, Guid id)
    {
        var response = await client.GetAsync($"/api/jobs/{id}");
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>Polls a job until it ends; fails the test with the job's steps when it does not within the limit.</summary>
    public static async Task<JsonObject> WaitForJobAsync(HttpClient client, Guid id, TimeSpan? limit = null)
    {
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromMinutes(3));
        while (true)
        {
            var job = await GetJobAsync(client, id);
            if (Terminal.Contains(job["status"]!.GetValue<string>()))
            {
                return job;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Job {id} did not end in time: {Describe(job)}");
            }

            await Task.Delay(100);
        }
    }

    public static IEnumerable<JsonObject> Steps(JsonObject job) => job["steps"]!.AsArray().Select(s => s!.AsObject());

    public static string Status(JsonObject stepOrJob) => stepOrJob["status"]!.GetValue<string>();

    /// <summary>A readable account of a job for assertion messages: status and each step's status, output of failures.</summary>
    public static string Describe(JsonObject job)
    {
        var lines = new List<string> { $"job {job["status"]} {job["error"]}" };
        foreach (var step in Steps(job))
        {
            lines.Add($"  {step["stepId"]}: {step["status"]} exit={step["exitCode"]}");
            if (Status(step) == "failed")
            {
                lines.Add("    " + step["output"]!.GetValue<string>().Replace("\n", "\n    ", StringComparison.Ordinal));
            }
        }

        return string.Join('\n', lines);
    }

    public static JsonSerializerOptions Json => PanelJson.Options;
}
