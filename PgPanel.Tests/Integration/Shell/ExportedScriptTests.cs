using System.Net.Http.Json;
using System.Text.Json.Nodes;
using PgPanel.Core.Hosts;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.Integration.Shell;

/// <summary>The exported plan is a script a DBA can run by hand: it is run here, for real, twice.</summary>
public sealed class ExportedScriptTests : IAsyncLifetime
{
    private readonly TestDirectory _directory = new("script");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await LocalPostgres.StopAllUnderAsync(_directory.Path);
        _directory.Dispose();
    }

    [Fact]
    public async Task The_exported_local_plan_run_by_bash_builds_a_streaming_pair_and_a_second_run_changes_nothing()
    {
        var ports = FreePorts.Take(2);
        string script;
        await using (var panel = new PanelFactory(_directory.Path))
        {
            using var client = panel.CreateApiClient();
            var response = await client.PostAsJsonAsync("/api/plans", Api.LocalSpec("byhand", ports[0], ports[1]));
            script = (await response.Content.ReadFromJsonAsync<JsonObject>())!["script"]!.GetValue<string>();
        }

        var path = Path.Combine(_directory.Path, "plan.sh");
        await File.WriteAllTextAsync(path, script);
        var environment = new Dictionary<string, string> { ["PGPANEL_REPLICATION_PASSWORD"] = "By-Hand-Password-77", ["PGPANEL_MONITOR_PASSWORD"] = "By-Hand-Monitor-78" };

        var first = await new LocalShell().RunAsync(new ShellCommand($"bash {path}", Environment: environment));
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("complete.", first.Output);
        Assert.Contains("reads canary", first.Output);
        Assert.Equal("byhand_standby1|streaming", await LocalPostgres.QueryAsync(ports[0], "SELECT application_name, state FROM pg_stat_replication"));

        var second = await new LocalShell().RunAsync(new ShellCommand($"bash {path}", Environment: environment));
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.DoesNotContain("wrote ", second.Output);
        Assert.DoesNotContain("server started", second.Output);
        Assert.DoesNotContain("By-Hand-Password-77", first.Output + second.Output);

        var withoutSecret = await new LocalShell().RunAsync(new ShellCommand($"env -u PGPANEL_REPLICATION_PASSWORD PGPANEL_MONITOR_PASSWORD=x bash {path}"));
        Assert.NotEqual(0, withoutSecret.ExitCode);
        Assert.Contains("export PGPANEL_REPLICATION_PASSWORD first", withoutSecret.Output);
    }
}
