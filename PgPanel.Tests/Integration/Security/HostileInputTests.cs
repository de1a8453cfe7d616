using System.Text.Json.Nodes;
using PgPanel.Core.Specs;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.Integration.Security;

/// <summary>
/// The hostile values a spec accepts (free-text setting values, the replication password) go through a real provisioning
/// run — on this machine and over SSH to a test-bed host — and land literally: no marker file, no extra role or table.
/// </summary>
[Collection(TestbedCollection.Name)]
public sealed class HostileInputTests(Testbed bed) : InProcessPanelTest("hostile")
{
    private const string Password = "Pw$(touch${IFS}/tmp/pgpanel-pwned-pw)|&;<>`id`%n";

    public override async Task InitializeAsync()
    {
        await bed.ResetAsync(1);
        await bed.ResetAsync(3);
        foreach (var marker in Directory.EnumerateFiles("/tmp", "pgpanel-pwned-*"))
        {
            File.Delete(marker);
        }

        await base.InitializeAsync();
    }

    protected override async Task ReleaseAsync()
    {
        await base.ReleaseAsync();
        await bed.ResetAsync(1);
        await bed.ResetAsync(3);
    }

    [Fact]
    public async Task Legal_hostile_values_land_literally_on_this_machine_and_over_ssh_and_nothing_runs()
    {
        var legal = HostileCorpus.Values.Where(v => SpecValidator.Validate(new ClusterSpec
        {
            Name = "x", Standbys = [new NodeSpec { Port = 5433 }],
            Settings = new SettingsSpec { Primary = new Dictionary<string, string> { ["pgpanel.h"] = v } },
        }).IsValid).Take(60).ToList();
        Assert.True(legal.Count >= 50, $"only {legal.Count} legal hostile values");
        var settings = new JsonObject();
        for (var i = 0; i < legal.Count; i++)
        {
            settings[$"pgpanel.h{i}"] = legal[i];
        }

        var ports = FreePorts.Take(2);
        var local = Api.LocalSpec("hostile", ports[0], ports[1], Password);
        local["settings"] = new JsonObject { ["primary"] = settings.DeepClone() };
        var localJob = await Api.WaitForJobAsync(Client, await Api.StartJobAsync(Client, local));
        Assert.True(Api.Status(localJob) == "succeeded", Api.Describe(localJob));

        var remote = bed.Spec("hostilessh", 1, [3], () => bed.RootConnection());
        remote["replication"]!["password"] = Password;
        remote["settings"] = new JsonObject { ["primary"] = settings.DeepClone() };
        var remoteJob = await Api.WaitForJobAsync(Client, await Api.StartJobAsync(Client, remote));
        Assert.True(Api.Status(remoteJob) == "succeeded", Api.Describe(remoteJob));

        for (var i = 0; i < legal.Count; i++)
        {
            Assert.Equal(legal[i], await LocalPostgres.QueryAsync(ports[0], $"SHOW pgpanel.h{i}"));
            Assert.Equal(legal[i], await LocalPostgres.QueryAsync(ports[1], $"SHOW pgpanel.h{i}"));
        }

        for (var i = 0; i < legal.Count; i += 7)
        {
            Assert.Equal(legal[i].Trim(), (await bed.QueryAsync(3, $"SHOW pgpanel.h{i}")).Trim());
        }

        Assert.Empty(Directory.EnumerateFiles("/tmp", "pgpanel-pwned-*"));
        Assert.Equal("", await bed.ExecAsync(1, "ls /tmp | grep pgpanel-pwned || true"));
        Assert.Equal("", await bed.ExecAsync(3, "ls /tmp | grep pgpanel-pwned || true"));
        const string roles = "SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles WHERE rolname NOT LIKE 'pg\\_%'";
        Assert.Equal("pgpanel_monitor,postgres,replica", await LocalPostgres.QueryAsync(ports[0], roles));
        Assert.Equal("pgpanel_monitor,postgres,replica", await bed.QueryAsync(1, roles));
        Assert.Equal("canary", await LocalPostgres.QueryAsync(ports[0], "SELECT string_agg(relname, ',') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE relkind = 'r' AND nspname NOT IN ('pg_catalog', 'information_schema')"));
        Assert.DoesNotContain(Password, localJob.ToJsonString() + remoteJob.ToJsonString());
    }
}
