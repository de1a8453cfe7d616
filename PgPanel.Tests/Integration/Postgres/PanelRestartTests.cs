using System.Net.Http.Json;
using System.Text.Json.Nodes;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.Integration.Postgres;

/// <summary>A panel killed mid-job: on restart the job is interrupted, and resume converges to streaming.</summary>
[Collection(SerialCollection.Name)]
public sealed class PanelRestartTests() : PanelDirectoryTest("restart")
{
    [Fact]
    public async Task Killing_the_panel_mid_job_leaves_it_interrupted_and_resume_converges_to_streaming()
    {
        var ports = FreePorts.Take(2);
        Guid id;
        string killedDuring;
        await using (var first = await BuiltPanel.StartAsync(DataDirectory))
        {
            using var client = first.CreateApiClient();
            id = await Api.StartJobAsync(client, Api.LocalSpec("crash", ports[0], ports[1]));

            // Kill while a step that changes the host is running: initdb takes about a second.
            JsonObject job;
            while (true)
            {
                job = await Api.GetJobAsync(client, id);
                Assert.True(Api.Status(job) is "queued" or "running", $"the job ended before the kill: {Api.Describe(job)}");
                var running = Api.Steps(job).FirstOrDefault(s => Api.Status(s) == "running" && s["stepId"]!.GetValue<string>() == "initdb-primary");
                if (running is not null)
                {
                    killedDuring = running["stepId"]!.GetValue<string>();
                    break;
                }

                await Task.Delay(10);
            }

            var orphans = first.Kill();
            await PanelProcess.WaitForExitAsync(orphans, TimeSpan.FromSeconds(60));
        }

        await using var second = await BuiltPanel.StartAsync(DataDirectory);
        using var api = second.CreateApiClient();
        var interrupted = await Api.GetJobAsync(api, id);
        Assert.Equal("interrupted", Api.Status(interrupted));
        // The step that was running may have finished in the instant before the kill; the job did not.
        Assert.Contains(Api.Status(Api.Steps(interrupted).Single(s => s["stepId"]!.GetValue<string>() == killedDuring)), new[] { "running", "changed", "unchanged" });
        Assert.Contains(Api.Steps(interrupted), s => Api.Status(s) == "pending");

        var resume = await api.PostAsync($"/api/jobs/{id}/resume", null);
        Assert.True(resume.IsSuccessStatusCode, await resume.Content.ReadAsStringAsync());
        var done = await Api.WaitForJobAsync(api, id);
        Assert.True(Api.Status(done) == "succeeded", Api.Describe(done) + "\n" + second.Log);
        Assert.Equal(2, done["attempt"]!.GetValue<int>());

        Assert.Equal("crash_standby1|streaming", await LocalPostgres.QueryAsync(ports[0], "SELECT application_name, state FROM pg_stat_replication"));
        Assert.Equal("t", await LocalPostgres.QueryAsync(ports[1], "SELECT pg_is_in_recovery()"));

        // Resuming a finished job is a no-op that answers its status.
        var again = await api.PostAsync($"/api/jobs/{id}/resume", null);
        Assert.Equal("succeeded", (await again.Content.ReadFromJsonAsync<JsonObject>())!["status"]!.GetValue<string>());
    }
}
