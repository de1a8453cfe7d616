using System.Net.Http.Json;
using System.Text.Json.Nodes;
using PgPanel.Core.Hosts;
using PgPanel.Core.Planning;
using PgPanel.Core.Records;
using PgPanel.Core.Specs;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.Integration.Shell;

/// <summary>The exported plan is a script a DBA can run by hand: it is run here, for real, twice.</summary>
[Collection(SerialCollection.Name)]
public sealed class ExportedScriptTests() : PanelDirectoryTest("script")
{
    [Fact]
    public async Task The_exported_local_plan_run_by_bash_builds_a_streaming_pair_and_a_second_run_changes_nothing()
    {
        var ports = FreePorts.Take(2);
        string script;
        await using (var panel = new PanelFactory(DataDirectory))
        {
            using var client = panel.CreateApiClient();
            var response = await client.PostAsJsonAsync("/api/plans", Api.LocalSpec("byhand", ports[0], ports[1]));
            script = (await response.Content.ReadFromJsonAsync<JsonObject>())!["script"]!.GetValue<string>();
        }

        var path = Path.Combine(DataDirectory, "plan.sh");
        await File.WriteAllTextAsync(path, script);
        var environment = new Dictionary<string, string> { ["PGPANEL_REPLICATION_PASSWORD"] = "By-Hand-Password-77", ["PGPANEL_MONITOR_PASSWORD"] = "By-Hand-Monitor-78" };

        var first = await LocalShell.RunOnceAsync(new ShellCommand($"bash {path}", Environment: environment));
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("complete on this host (all)", first.Output);
        Assert.Contains("reads canary", first.Output);
        Assert.Equal("byhand_standby1|streaming", await LocalPostgres.QueryAsync(ports[0], "SELECT application_name, state FROM pg_stat_replication"));

        var second = await LocalShell.RunOnceAsync(new ShellCommand($"bash {path}", Environment: environment));
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.DoesNotContain("wrote ", second.Output);
        Assert.Contains("(all): 0 step(s) changed something", second.Output);
        Assert.DoesNotContain("server started", second.Output);
        Assert.DoesNotContain("By-Hand-Password-77", first.Output + second.Output);

        var withoutSecret = await LocalShell.RunOnceAsync(new ShellCommand($"env -u PGPANEL_REPLICATION_PASSWORD PGPANEL_MONITOR_PASSWORD=x bash {path}"));
        Assert.NotEqual(0, withoutSecret.ExitCode);
        Assert.Contains("export PGPANEL_REPLICATION_PASSWORD first", withoutSecret.Output);
    }

    /// <summary>A one-step plan whose check and change are given, on this machine as whoever runs the tests.</summary>
    private static Plan OneStep(string check, string apply, StepKind kind = StepKind.Change) => new()
    {
        ClusterName = "contract",
        PostgresVersion = PgVersion.Of(15),
        Nodes = [],
        Steps = [new PlanStep { Id = "step", Title = "a step", Node = "primary", Kind = kind, Check = new PlanCommand("primary", check), Apply = [new PlanCommand("primary", apply)] }],
    };

    private async Task<ShellResult> RunAsync(Plan plan)
    {
        var path = Path.Combine(DataDirectory, "contract.sh");
        await File.WriteAllTextAsync(path, ScriptExport.Render(plan));
        return await LocalShell.RunOnceAsync(new ShellCommand($"cd {DataDirectory} && bash {path}"));
    }

    [Fact]
    public async Task The_script_keeps_the_runners_step_contract()
    {
        var marker = Path.Combine(DataDirectory, "applied");

        // Exit 1: the change runs, the check runs again and passes.
        var differs = await RunAsync(OneStep($"test -f {marker} || exit 1", $"touch {marker}"));
        Assert.True(differs.ExitCode == 0, differs.Output);
        Assert.Contains("=> changed", differs.Output);
        Assert.Contains("1 step(s) changed something", differs.Output);
        Assert.True(File.Exists(marker));

        // Exit 0: nothing runs.
        var inPlace = await RunAsync(OneStep($"test -f {marker} || exit 1", "echo applied-again"));
        Assert.True(inPlace.ExitCode == 0, inPlace.Output);
        Assert.DoesNotContain("applied-again", inPlace.Output);
        Assert.Contains("=> unchanged", inPlace.Output);

        // Any other exit code of the check is an error: the change never runs and the script stops with that code.
        var broken = await RunAsync(OneStep("exit 4", "echo must-not-run"));
        Assert.Equal(4, broken.ExitCode);
        Assert.DoesNotContain("must-not-run", broken.Output);
        Assert.Contains("the check failed with exit code 4", broken.Output);
        Assert.Contains("step 1/1 a step failed", broken.Output);

        // A change after which the check still differs fails the step, as the runner's re-check does.
        var stuck = await RunAsync(OneStep("exit 1", "echo tried"));
        Assert.Equal(1, stuck.ExitCode);
        Assert.Contains("tried", stuck.Output);
        Assert.Contains("the change ran, but the check still finds a difference", stuck.Output);

        // A pre-flight that fails stops everything.
        var preflight = await RunAsync(OneStep("echo 'no room' >&2; exit 3", "true", StepKind.Preflight));
        Assert.Equal(3, preflight.ExitCode);
        Assert.Contains("no room", preflight.Output);
    }
}
