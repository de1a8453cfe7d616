using System.Net.Http.Json;
using System.Text.Json.Nodes;
using PgPanel.Core.Hosts;
using PgPanel.Core.Security;
using PgPanel.Tests.TestBed;
using static PgPanel.Core.Security.ShellQuote;

namespace PgPanel.Tests.Integration.Ssh;

/// <summary>
/// The plan's exported script run by hand as a DBA would: the same file piped over ssh to each host at the same time,
/// each with PGPANEL_NODES set to its node and the secrets exported — on a Debian pair and on a Rocky 9 pair (which also
/// installs PostgreSQL from the test bed's mirror). The panel only plans; it never touches the hosts.
/// </summary>
[Collection(TestbedCollection.Name)]
public sealed class CrossHostScriptTests(Testbed bed) : TestbedPanelTest(bed, "script", [1, 2, Testbed.RockyPrimary, Testbed.RockyStandby])
{
    [Fact]
    public async Task On_a_debian_pair_the_script_run_on_both_hosts_at_once_streams_and_a_second_run_changes_nothing()
    {
        var spec = Bed.Spec("scriptdeb", 1, [2], () => Bed.RootConnection());
        await RunPairAsync(spec, 1, 2);
        Assert.Contains("15/main", await Bed.ExecAsync(2, "pg_lsclusters -h"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_a_rocky_pair_the_script_installs_from_the_mirror_streams_and_a_second_run_changes_nothing()
    {
        var spec = Bed.Spec("scriptel9", Testbed.RockyPrimary, [Testbed.RockyStandby], () => Bed.RootConnection());
        spec["packages"] = new JsonObject { ["source"] = "mirror", ["mirrorUrl"] = Bed.RepositoryUrl };
        await RunPairAsync(spec, Testbed.RockyPrimary, Testbed.RockyStandby);
        Assert.StartsWith("postgresql15-server-15.", await Bed.ExecAsync(Testbed.RockyStandby, "rpm -q postgresql15-server"), StringComparison.Ordinal);
    }

    private async Task RunPairAsync(JsonObject spec, int primary, int standby)
    {
        var response = await Client.PostAsJsonAsync("/api/plans", spec);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var script = JsonNode.Parse(body)!["script"]!.GetValue<string>();
        var name = spec["name"]!.GetValue<string>();
        var secrets = new Dictionary<string, string>
        {
            ["PGPANEL_REPLICATION_PASSWORD"] = PasswordGenerator.Generate().Reveal(),
            ["PGPANEL_MONITOR_PASSWORD"] = PasswordGenerator.Generate().Reveal(),
        };

        var (first, second) = await (RunAsync(script, primary, "primary", secrets), RunAsync(script, standby, "standby1", secrets)).WhenBoth();
        Assert.True(first.Succeeded, first.Output);
        Assert.True(second.Succeeded, second.Output);
        Assert.Contains("primary: WAL sender for " + name + "_standby1 is streaming.", first.Output, StringComparison.Ordinal);
        Assert.Contains(name + "_standby1 replayed the canary write", first.Output, StringComparison.Ordinal);
        Assert.Contains("standby1 reads canary", second.Output, StringComparison.Ordinal);
        // Each host ran only its own node's commands.
        Assert.DoesNotContain("pg_basebackup", first.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Initializing database", second.Output, StringComparison.Ordinal);

        Assert.Equal($"{name}_standby1|{Bed.Host(standby)}|streaming", await Bed.QueryAsync(primary, "SELECT application_name, client_addr, state FROM pg_stat_replication"));
        Assert.Equal("t", await Bed.QueryAsync(standby, "SELECT pg_is_in_recovery()"));
        await Bed.QueryAsync(primary, "CREATE TABLE by_hand AS SELECT 'crossed'::text AS v");
        Assert.Equal("crossed", await Poll.UntilAsync(() => Bed.QueryAsync(standby, "SELECT v FROM by_hand"), "crossed"));

        // Again, on both hosts: every step is checked and nothing changes.
        var (again1, again2) = await (RunAsync(script, primary, "primary", secrets), RunAsync(script, standby, "standby1", secrets)).WhenBoth();
        Assert.True(again1.Succeeded, again1.Output);
        Assert.True(again2.Succeeded, again2.Output);
        Assert.Contains("(primary): 0 step(s) changed something", again1.Output, StringComparison.Ordinal);
        Assert.Contains("(standby1): 0 step(s) changed something", again2.Output, StringComparison.Ordinal);
    }

    /// <summary>ssh root@host bash -s, the secrets and PGPANEL_NODES exported at the top of its standard input.</summary>
    private async Task<ShellResult> RunAsync(string script, int host, string nodes, IReadOnlyDictionary<string, string> secrets)
    {
        var input = string.Concat(secrets.Select(s => $"export {s.Key}={Quote(s.Value)}\n")) + $"export PGPANEL_NODES={nodes}\n" + script;
        var file = Path.Combine(DataDirectory, $"run-{host}.sh");
        await File.WriteAllTextAsync(file, input);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var key = Path.Combine(Bed.Directory, "id_ed25519");
        return await LocalShell.RunOnceAsync(new ShellCommand(
            $"ssh -i {Quote(key)} -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR " +
            $"root@{Bed.Host(host)} bash -s < {Quote(file)}"));
    }
}

internal static class TaskPairs
{
    public static async Task<(T, T)> WhenBoth<T>(this (Task<T> First, Task<T> Second) tasks)
    {
        await Task.WhenAll(tasks.First, tasks.Second);
        return (await tasks.First, await tasks.Second);
    }
}
