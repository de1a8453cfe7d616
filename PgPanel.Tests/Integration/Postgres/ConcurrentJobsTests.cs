using System.Net.Http.Json;
using System.Text.Json.Nodes;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.Integration.Postgres;

/// <summary>
/// Jobs of different clusters run at once: two local pairs provisioned side by side both reach streaming (their runs
/// overlap in time), and cancelling a third cluster's run leaves the others running to success.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class ConcurrentJobsTests() : InProcessPanelTest("concurrent")
{
    [Fact]
    public async Task Two_clusters_provision_side_by_side_and_cancelling_a_third_leaves_them_running()
    {
        var ports = FreePorts.Take(6);
        var east = await Api.StartJobAsync(Client, Api.LocalSpec("east", ports[0], ports[1]));
        var west = await Api.StartJobAsync(Client, Api.LocalSpec("west", ports[2], ports[3]));
        var north = await Api.StartJobAsync(Client, Api.LocalSpec("north", ports[4], ports[5]));

        // All three run at once: wait until each has started, then stop one of them.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var statuses = await Task.WhenAll(new[] { east, west, north }.Select(async id => Api.Status(await Api.GetJobAsync(Client, id))));
            if (statuses.All(s => s == "running"))
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"not all three runs started together: {string.Join(", ", statuses)}");
            Assert.DoesNotContain("succeeded", statuses);
            await Task.Delay(50);
        }

        (await Client.PostAsync($"/api/jobs/{north}/cancel", null)).EnsureSuccessStatusCode();
        var (eastJob, westJob, northJob) = (await Api.WaitForJobAsync(Client, east), await Api.WaitForJobAsync(Client, west), await Api.WaitForJobAsync(Client, north));
        Assert.True(Api.Status(eastJob) == "succeeded", Api.Describe(eastJob));
        Assert.True(Api.Status(westJob) == "succeeded", Api.Describe(westJob));
        Assert.Equal("cancelled", Api.Status(northJob));

        // Their runs overlapped in time, and each pair streams.
        var (eastStart, eastEnd) = (Time(eastJob, "startedAt"), Time(eastJob, "finishedAt"));
        var (westStart, westEnd) = (Time(westJob, "startedAt"), Time(westJob, "finishedAt"));
        Assert.True(eastStart < westEnd && westStart < eastEnd, $"east {eastStart:T}–{eastEnd:T}, west {westStart:T}–{westEnd:T}");
        Assert.Equal("streaming", await LocalPostgres.QueryAsync(ports[0], "SELECT state FROM pg_stat_replication"));
        Assert.Equal("streaming", await LocalPostgres.QueryAsync(ports[2], "SELECT state FROM pg_stat_replication"));
        var clusters = await Client.GetFromJsonAsync<JsonArray>("/api/clusters");
        Assert.Contains(clusters!, c => c!["name"]!.GetValue<string>() == "east");
        Assert.Contains(clusters!, c => c!["name"]!.GetValue<string>() == "west");
    }

    private static DateTimeOffset Time(JsonObject job, string field) => job[field]!.GetValue<DateTimeOffset>();
}
