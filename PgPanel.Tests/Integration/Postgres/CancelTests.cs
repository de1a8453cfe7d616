using System.Text.Json.Nodes;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.Integration.Postgres;

/// <summary>Cancel stops the running command; the job can then be resumed to the same end.</summary>
[Collection(SerialCollection.Name)]
public sealed class CancelTests() : InProcessPanelTest("cancel")
{
    [Fact]
    public async Task Cancelling_a_running_job_stops_its_command_and_resume_finishes_it()
    {
        var ports = FreePorts.Take(2);
        var id = await Api.StartJobAsync(Client, Api.LocalSpec("stopme", ports[0], ports[1]));
        string stepId;
        while (true)
        {
            var job = await Api.GetJobAsync(Client, id);
            Assert.True(Api.Status(job) is "queued" or "running", $"the job ended before it could be cancelled: {Api.Describe(job)}");
            // initdb runs for about a second: long enough for the cancel to arrive while it runs.
            var running = Api.Steps(job).FirstOrDefault(s => Api.Status(s) == "running" && s["stepId"]!.GetValue<string>() == "initdb-primary");
            if (running is not null)
            {
                stepId = running["stepId"]!.GetValue<string>();
                break;
            }

            await Task.Delay(10);
        }

        var cancel = await Client.PostAsync($"/api/jobs/{id}/cancel", null);
        Assert.True(cancel.IsSuccessStatusCode);
        var cancelled = await Api.WaitForJobAsync(Client, id, TimeSpan.FromSeconds(30));
        Assert.Equal("cancelled", Api.Status(cancelled));
        var stopped = Assert.Single(Api.Steps(cancelled), s => Api.Status(s) == "failed");
        stepId = stopped["stepId"]!.GetValue<string>();
        Assert.Contains("cancelled", stopped["output"]!.GetValue<string>());
        Assert.All(Api.Steps(cancelled).SkipWhile(s => s["stepId"]!.GetValue<string>() != stepId).Skip(1), s => Assert.Equal("pending", Api.Status(s)));

        var resume = await Client.PostAsync($"/api/jobs/{id}/resume", null);
        Assert.True(resume.IsSuccessStatusCode);
        var done = await Api.WaitForJobAsync(Client, id);
        Assert.True(Api.Status(done) == "succeeded", Api.Describe(done));
        Assert.Equal("stopme_standby1|streaming", await LocalPostgres.QueryAsync(ports[0], "SELECT application_name, state FROM pg_stat_replication"));
    }
}
