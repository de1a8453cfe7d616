using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.Integration.Web;

/// <summary>
/// At most one queued or running job per cluster, decided by the database: twenty simultaneous starts make one job and
/// every caller gets its id; a failed run cannot be resumed while another run of its cluster is active.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class OneActiveJobTests() : InProcessPanelTest("one-active")
{
    [Fact]
    public async Task Twenty_simultaneous_starts_make_one_job_and_a_second_run_blocks_resuming_the_first()
    {
        var ports = FreePorts.Take(2);
        var spec = Api.LocalSpec("race", ports[0], ports[1]);
        using var gate = new SemaphoreSlim(0);
        var starts = Enumerable.Range(0, 20).Select(async _ =>
        {
            await gate.WaitAsync();
            return await Api.StartJobAsync(Client, spec.DeepClone().AsObject());
        }).ToList();
        gate.Release(20);
        var ids = await Task.WhenAll(starts);
        Assert.Single(ids.Distinct());
        var listed = await Client.GetFromJsonAsync<JsonArray>("/api/jobs?cluster=race");
        Assert.Single(listed!);

        // The first run is cancelled; a second one starts; the first cannot be resumed beside it.
        var first = ids[0];
        (await Client.PostAsync($"/api/jobs/{first}/cancel", null)).EnsureSuccessStatusCode();
        Assert.Equal("cancelled", Api.Status(await Api.WaitForJobAsync(Client, first)));
        var second = await Api.StartJobAsync(Client, spec.DeepClone().AsObject());
        Assert.NotEqual(first, second);
        var resume = await Client.PostAsync($"/api/jobs/{first}/resume", null);
        var body = await resume.Content.ReadAsStringAsync();
        // A local pair takes seconds to provision: the second run is still active when the resume is asked for.
        Assert.True(resume.StatusCode == HttpStatusCode.Conflict, $"{(int)resume.StatusCode}: {body}");
        Assert.Contains("Another run of cluster race is queued or running", body, StringComparison.Ordinal);
        Assert.Equal("cancelled", Api.Status(await Api.GetJobAsync(Client, first)));
        Assert.Equal("succeeded", Api.Status(await Api.WaitForJobAsync(Client, second)));
    }
}
