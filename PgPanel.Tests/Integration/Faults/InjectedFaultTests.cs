using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PgPanel.Core;
using PgPanel.Core.Hosts;
using PgPanel.Core.Runs;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.Integration.Faults;

/// <summary>
/// The step engine's exception policy in the real panel: an exception type nobody expected, thrown inside a plan's
/// shell step or inside the connect step, fails that job with the reason on its step — and the panel, its API and the
/// next job (another cluster, provisioned to streaming) go on.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class InjectedFaultTests() : PanelDirectoryTest("injected-faults")
{
    private readonly int[] _ports = FreePorts.Take(6);
    private PanelFactory _panel = null!;
    private WebApplicationFactory<Program> _withFaults = null!;

    public override Task InitializeAsync()
    {
        _panel = new PanelFactory(DataDirectory);
        // The real panel with the shell factory wrapped: connecting to ports[2] and initdb through ports[0]'s shell throw.
        _withFaults = _panel.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
            services.AddSingleton<IHostShellFactory>(sp => new FaultInjectingShellFactory(
                new HostShellFactory(sp.GetRequiredService<IOptions<JobOptions>>()), connectFaultPort: _ports[2], commandFaultPort: _ports[0], "initdb"))));
        return Task.CompletedTask;
    }

    protected override async Task ReleaseAsync()
    {
        await _withFaults.DisposeAsync();
        await _panel.DisposeAsync();
    }

    [Fact]
    public async Task Unexpected_exceptions_in_a_shell_step_and_in_the_connect_step_fail_their_jobs_and_the_next_job_reaches_streaming()
    {
        using var client = _withFaults.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", PanelFactory.Token);

        // A NullReferenceException from the primary's shell in the middle of the plan (initdb).
        var broken = await Api.WaitForJobAsync(client, await Api.StartJobAsync(client, Api.LocalSpec("brokenstep", _ports[0], _ports[1])));
        Assert.True(Api.Status(broken) == "failed", Api.Describe(broken));
        var failed = Assert.Single(Api.Steps(broken), s => Api.Status(s) == "failed");
        Assert.Contains("The step could not run: injected: a bug in the middle of a step", failed["output"]!.GetValue<string>());
        Assert.Contains(failed["title"]!.GetValue<string>(), broken["error"]!.GetValue<string>());
        Assert.DoesNotContain(Api.Steps(broken), s => Api.Status(s) == "running");

        // An ArgumentOutOfRangeException while connecting: the connect step fails, nothing is planned.
        var unreachable = await Api.WaitForJobAsync(client, await Api.StartJobAsync(client, Api.LocalSpec("brokenconnect", _ports[2], _ports[3])));
        Assert.True(Api.Status(unreachable) == "failed", Api.Describe(unreachable));
        var connect = Assert.Single(Api.Steps(unreachable));
        Assert.Equal(JobWorker.ConnectStepId, connect["stepId"]!.GetValue<string>());
        Assert.Contains("injected: the connection broke", unreachable["error"]!.GetValue<string>());

        // The panel and its worker go on: the next cluster is provisioned to streaming.
        var fine = await Api.WaitForJobAsync(client, await Api.StartJobAsync(client, Api.LocalSpec("afterfaults", _ports[4], _ports[5])));
        Assert.True(Api.Status(fine) == "succeeded", Api.Describe(fine));
        Assert.Equal("afterfaults_standby1|streaming", await LocalPostgres.QueryAsync(_ports[4], "SELECT application_name, state FROM pg_stat_replication"));
    }
}
