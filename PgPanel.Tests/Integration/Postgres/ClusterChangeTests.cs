using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using PgPanel.Tests.TestBed;
using static PgPanel.Core.Security.ShellQuote;

namespace PgPanel.Tests.Integration.Postgres;

/// <summary>
/// A standby that leaves the spec: its slot would keep WAL on the primary for ever. The run says so and waits for a
/// confirmation bound to exactly that change; then it drops the slot — never while a standby still streams through
/// it — and leaves the standby's data directory where it is.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class ClusterChangeTests() : InProcessPanelTest("change")
{
    [Fact]
    public async Task A_removed_standby_needs_a_confirmation_that_names_its_slot_which_is_then_dropped_and_its_data_kept()
    {
        var ports = FreePorts.Take(3);
        var spec = Api.LocalSpec("shrink", ports[0], ports[1]);
        spec["standbys"]!.AsArray().Add(new JsonObject { ["host"] = "127.0.0.1", ["port"] = ports[2], ["connection"] = new JsonObject { ["kind"] = "local" } });
        var built = await Api.WaitForJobAsync(Client, await Api.StartJobAsync(Client, spec));
        Assert.True(Api.Status(built) == "succeeded", Api.Describe(built));

        // Without standby2: 409, nothing started, the change named.
        spec["standbys"]!.AsArray().RemoveAt(1);
        var refused = await Client.PostAsJsonAsync("/api/jobs", spec);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = (await refused.Content.ReadFromJsonAsync<JsonObject>())!;
        var change = Assert.Single(problem["changes"]!.AsArray())!.GetValue<string>();
        Assert.Contains("drop replication slot shrink_standby2", change, StringComparison.Ordinal);
        var token = problem["confirmToken"]!.GetValue<string>();
        Assert.Single((await Client.GetFromJsonAsync<JsonArray>("/api/jobs"))!);

        // A token for another change does not confirm this one.
        Assert.Equal(HttpStatusCode.Conflict, (await Client.PostAsJsonAsync("/api/jobs?confirm=not-the-token", spec)).StatusCode);

        // Confirmed while standby2 still streams: the slot is kept and the run says why.
        var busy = await Api.WaitForJobAsync(Client, await StartConfirmedAsync(spec, token));
        Assert.Equal("failed", Api.Status(busy));
        Assert.Contains("a standby still streams through it", Step(busy, "drop-slot-shrink_standby2")["output"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("shrink_standby2", await LocalPostgres.QueryAsync(ports[0], "SELECT slot_name FROM pg_replication_slots WHERE slot_name = 'shrink_standby2'"));

        // Stopped, the standby's slot goes; its data directory stays.
        var standby2 = Path.Combine(DataDirectory, "clusters", "shrink", "standby2");
        await LocalPostgres.RunAsync($"{Quote(LocalPostgres.BinDirectory + "/pg_ctl")} stop -D {Quote(standby2)} -m fast -w");
        var resume = await Client.PostAsync($"/api/jobs/{busy["id"]}/resume", null);
        Assert.True(resume.IsSuccessStatusCode, await resume.Content.ReadAsStringAsync());
        var done = await Api.WaitForJobAsync(Client, Guid.Parse(busy["id"]!.GetValue<string>()));
        Assert.True(Api.Status(done) == "succeeded", Api.Describe(done));
        Assert.Equal("changed", Api.Status(Step(done, "drop-slot-shrink_standby2")));
        Assert.Equal("shrink_standby1", await LocalPostgres.QueryAsync(ports[0], "SELECT string_agg(slot_name, ',') FROM pg_replication_slots"));
        Assert.True(File.Exists(Path.Combine(standby2, "PG_VERSION")));

        // The cluster now has one standby: the same spec again needs no confirmation and changes nothing.
        var again = await Api.WaitForJobAsync(Client, await Api.StartJobAsync(Client, spec));
        Assert.True(Api.Status(again) == "succeeded", Api.Describe(again));
        Assert.All(Api.Steps(again), s => Assert.Equal("unchanged", Api.Status(s)));
    }

    private async Task<Guid> StartConfirmedAsync(JsonObject spec, string token)
    {
        var response = await Client.PostAsJsonAsync($"/api/jobs?confirm={token}", spec);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return Guid.Parse((await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>());
    }

    private static JsonObject Step(JsonObject job, string id) => Api.Steps(job).Single(s => s["stepId"]!.GetValue<string>() == id);
}
