using System.Text.Json.Nodes;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.Integration.Postgres;

/// <summary>Cancel stops the running command; the job can then be resumed to the same end.</summary>
public sealed class CancelTests : IAsyncLifetime
{
    private readonly TestDirectory _directory = new("cancel");
    private PanelFactory _panel = null!;

    public Task InitializeAsync()
    {
        _panel = new PanelFactory(_directory.Path);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _panel.DisposeAsync();
        await LocalPostgres.StopAllUnderAsync(_directory.Path);
        _directory.Dispose();
    }

    [Fact]
    public async Task Cancelling_a_running_job_stops_its_command_and_resume_finishes_it()
    {
        using var client = _panel.CreateApiClient();
        var ports = FreePorts.Take(2);
        var id = await Api.StartJobAsync(client, Api.LocalSpec("stopme", ports[0], ports[1]));
        string stepId;
        while (true)
        {
            var job = await Api.GetJobAsync(client, id);
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

        var cancel = await client.PostAsync($"/api/jobs/{id}/cancel", null);
        Assert.True(cancel.IsSuccessStatusCode);
        var cancelled = await Api.WaitForJobAsync(client, id, TimeSpan.FromSeconds(30));
        Assert.Equal("cancelled", Api.Status(cancelled));
        var stopped = Assert.Single(Api.Steps(cancelled), s => Api.Status(s) == "failed");
        stepId = stopped["stepId"]!.GetValue<string>();
        Assert.Contains("cancelled", stopped["output"]!.GetValue<string>());
        Assert.All(Api.Steps(cancelled).SkipWhile(s => s["stepId"]!.GetValue<string>() != stepId).Skip(1), s => Assert.Equal("pending", Api.Status(s)));

        var resume = await client.PostAsync($"/api/jobs/{id}/resume", null);
        Assert.True(resume.IsSuccessStatusCode);
        var done = await Api.WaitForJobAsync(client, id);
        Assert.True(Api.Status(done) == "succeeded", Api.Describe(done));
        Assert.Equal("stopme_standby1|streaming", await LocalPostgres.QueryAsync(ports[0], "SELECT application_name, state FROM pg_stat_replication"));
    }
}
