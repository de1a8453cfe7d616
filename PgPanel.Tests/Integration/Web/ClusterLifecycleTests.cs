using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PgPanel.Core;
using PgPanel.Core.Clusters;
using PgPanel.Core.Records;
using PgPanel.Core.Runs;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.Integration.Web;

/// <summary>
/// A cluster's place in PgPanel: a run that failed before changing anything registers nothing; Forget removes a cluster
/// from PgPanel (never from its servers) and is refused while a run of it is active.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class ClusterLifecycleTests() : InProcessPanelTest("lifecycle")
{
    [Fact]
    public async Task A_run_whose_preflight_fails_registers_no_cluster_and_keeps_its_run()
    {
        using var client = Panel.CreateApiClient();
        // Another program holds the primary's port: the port pre-flight fails before anything is made.
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var taken = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var free = FreePorts.Take(1)[0];
        var id = await Api.StartJobAsync(client, Api.LocalSpec("squatted", taken, free));
        var job = await Api.WaitForJobAsync(client, id);
        Assert.Equal("failed", Api.Status(job));
        Assert.Contains(Api.Steps(job), s => s["stepId"]!.GetValue<string>() == "preflight-port-primary" && Api.Status(s) == "failed");
        Assert.DoesNotContain(Api.Steps(job), s => Api.Status(s) == "changed");

        var clusters = await client.GetFromJsonAsync<JsonArray>("/api/clusters");
        Assert.DoesNotContain(clusters!, c => c!["name"]!.GetValue<string>() == "squatted");
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/clusters/squatted/replication")).StatusCode);
        Assert.Contains("not registered", (await Api.GetJobAsync(client, id))["audit"]!.GetValue<string>());
        var runs = await client.GetFromJsonAsync<JsonArray>("/api/jobs?cluster=squatted");
        Assert.Single(runs!);
    }

    [Fact]
    public async Task Forget_removes_the_cluster_from_pgpanel_only_and_is_refused_while_a_run_is_active()
    {
        using var client = Panel.CreateApiClient();
        var store = Panel.Services.GetRequiredService<ClusterStore>();
        var jobs = Panel.Services.GetRequiredService<JobStore>();
        var spec = PanelJson.Serialize(PanelJson.Deserialize<Core.Specs.ClusterSpec>(Api.LocalSpec("kept", 15432, 15433).ToJsonString()));
        var running = new Job { Id = Guid.NewGuid(), ClusterName = "kept", SpecJson = spec, Status = JobStatus.Running, CreatedAt = DateTimeOffset.UtcNow };
        Assert.True(await jobs.TryAddAsync(running));
        await store.SaveAsync("kept", "15", spec, running.Id);

        var refused = await client.DeleteAsync("/api/clusters/kept");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("cancel it or let it end", await refused.Content.ReadAsStringAsync());
        Assert.NotNull(await store.GetAsync("kept"));

        await jobs.SetStatusAsync(running.Id, JobStatus.Failed, "test");
        var forgotten = await client.DeleteAsync("/api/clusters/kept");
        Assert.Equal(HttpStatusCode.NoContent, forgotten.StatusCode);
        Assert.Null(await store.GetAsync("kept"));
        var clusters = await client.GetFromJsonAsync<JsonArray>("/api/clusters");
        Assert.DoesNotContain(clusters!, c => c!["name"]!.GetValue<string>() == "kept");
        // The run stays, with who forgot the cluster in its audit.
        var run = await Api.GetJobAsync(client, running.Id);
        Assert.Contains("forgotten by", run["audit"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync("/api/clusters/kept")).StatusCode);
    }

    [Fact]
    public async Task The_store_is_readable_by_its_owner_only()
    {
        using var client = Panel.CreateApiClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/clusters")).StatusCode);
        var files = Directory.GetFiles(DataDirectory, "pgpanel.db*");
        Assert.Contains(files, f => f.EndsWith("pgpanel.db", StringComparison.Ordinal));
        Assert.All(files, f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));
    }
}
