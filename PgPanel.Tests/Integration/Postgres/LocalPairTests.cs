using System.Security.Cryptography;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.Integration.Postgres;

/// <summary>The local target end to end: the API provisions two real PostgreSQL clusters on this machine.</summary>
[Collection(SerialCollection.Name)]
public sealed class LocalPairTests() : InProcessPanelTest("pair")
{
    private int _primaryPort;
    private int _standbyPort;

    public override Task InitializeAsync()
    {
        (_primaryPort, _standbyPort) = FreePorts.Take(2) switch { var p => (p[0], p[1]) };
        return base.InitializeAsync();
    }

    [Fact]
    public async Task Local_pair_provisioned_through_the_api_streams_and_a_row_written_on_the_primary_is_read_on_the_standby()
    {
        var job = await Api.WaitForJobAsync(Client, await Api.StartJobAsync(Client, Api.LocalSpec("demo", _primaryPort, _standbyPort)));
        Assert.True(Api.Status(job) == "succeeded", Api.Describe(job));

        // The seed's checks, asked of the servers themselves.
        Assert.Equal("demo_standby1|streaming|127.0.0.1|async",
            await LocalPostgres.QueryAsync(_primaryPort, "SELECT application_name, state, client_addr, sync_state FROM pg_stat_replication"));
        Assert.Equal("t", await LocalPostgres.QueryAsync(_standbyPort, "SELECT pg_is_in_recovery()"));
        Assert.Equal("streaming", await LocalPostgres.QueryAsync(_standbyPort, "SELECT status FROM pg_stat_wal_receiver"));
        Assert.Equal("demo_standby1|t", await LocalPostgres.QueryAsync(_primaryPort, "SELECT slot_name, active FROM pg_replication_slots"));

        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
        await LocalPostgres.QueryAsync(_primaryPort, $"CREATE TABLE t (v text); INSERT INTO t VALUES ('{token}')");
        Assert.Equal(token, await Poll.UntilAsync(() => LocalPostgres.QueryAsync(_standbyPort, "SELECT v FROM t"), token));

        var steps = Api.Steps(job).ToList();
        Assert.All(steps, s => Assert.Contains(Api.Status(s), new[] { "changed", "unchanged" }));
        Assert.Equal(100, steps.Single(s => s["stepId"]!.GetValue<string>() == "clone-standby1")["progress"]!.GetValue<int>());
        Assert.Contains("streaming", steps.Single(s => s["stepId"]!.GetValue<string>() == "verify-sender-standby1")["output"]!.GetValue<string>());
        Assert.Contains("reads canary", steps.Single(s => s["stepId"]!.GetValue<string>() == "verify-canary-standby1")["output"]!.GetValue<string>());
    }

    [Fact]
    public async Task Running_the_same_spec_again_changes_nothing_and_keeps_the_data()
    {
        var spec = Api.LocalSpec("again", _primaryPort, _standbyPort);
        var first = await Api.WaitForJobAsync(Client, await Api.StartJobAsync(Client, spec));
        Assert.True(Api.Status(first) == "succeeded", Api.Describe(first));
        await LocalPostgres.QueryAsync(_primaryPort, "CREATE TABLE kept AS SELECT g AS id FROM generate_series(1, 5000) g");
        var system = await LocalPostgres.QueryAsync(_standbyPort, "SELECT system_identifier FROM pg_control_system()");
        var primaryStart = await LocalPostgres.QueryAsync(_primaryPort, "SELECT pg_postmaster_start_time()");

        var second = await Api.WaitForJobAsync(Client, await Api.StartJobAsync(Client, spec));
        Assert.True(Api.Status(second) == "succeeded", Api.Describe(second));
        Assert.All(Api.Steps(second), s => Assert.True(Api.Status(s) == "unchanged", $"{s["stepId"]} was {Api.Status(s)}: {s["output"]}"));

        Assert.Equal("5000", await LocalPostgres.QueryAsync(_primaryPort, "SELECT count(*) FROM kept"));
        Assert.Equal("5000", await Poll.UntilAsync(() => LocalPostgres.QueryAsync(_standbyPort, "SELECT count(*) FROM kept"), "5000"));
        Assert.Equal(system, await LocalPostgres.QueryAsync(_standbyPort, "SELECT system_identifier FROM pg_control_system()"));
        Assert.Equal(primaryStart, await LocalPostgres.QueryAsync(_primaryPort, "SELECT pg_postmaster_start_time()"));
    }

    [Fact]
    public async Task Standby_data_directory_with_foreign_files_fails_at_preflight_and_is_left_byte_for_byte()
    {
        var foreign = Path.Combine(DataDirectory, "someone-elses-data");
        Directory.CreateDirectory(Path.Combine(foreign, "base"));
        await File.WriteAllBytesAsync(Path.Combine(foreign, "PG_VERSION"), "15\n"u8.ToArray());
        await File.WriteAllBytesAsync(Path.Combine(foreign, "base", "16384"), RandomNumberGenerator.GetBytes(64 * 1024));
        await File.WriteAllTextAsync(Path.Combine(foreign, "notes.txt"), "do not touch");
        var before = Snapshot(foreign);

        var spec = Api.LocalSpec("foreign", _primaryPort, _standbyPort);
        spec["standbys"]![0]!["dataDirectory"] = foreign;
        var job = await Api.WaitForJobAsync(Client, await Api.StartJobAsync(Client, spec));

        Assert.Equal("failed", Api.Status(job));
        var failed = Assert.Single(Api.Steps(job), s => Api.Status(s) == "failed");
        Assert.Equal("preflight-datadir-standby1", failed["stepId"]!.GetValue<string>());
        Assert.Contains("Refusing", failed["output"]!.GetValue<string>());
        Assert.Contains(foreign, failed["output"]!.GetValue<string>());
        Assert.All(Api.Steps(job).Where(s => s["kind"]!.GetValue<string>() != "preflight"), s => Assert.Equal("pending", Api.Status(s)));
        Assert.Equal(before, Snapshot(foreign));
        Assert.False(Directory.Exists(Path.Combine(DataDirectory, "clusters", "foreign", "primary")), "nothing may be created when pre-flight fails");
    }

    [Fact]
    public async Task A_server_that_does_not_start_shows_why_in_the_run()
    {
        var spec = Api.LocalSpec("nostart", _primaryPort, _standbyPort);
        spec["settings"] = new System.Text.Json.Nodes.JsonObject
        {
            ["primary"] = new System.Text.Json.Nodes.JsonObject { ["ssl"] = "on" },   // no server.crt in a fresh cluster
        };
        var job = await Api.WaitForJobAsync(Client, await Api.StartJobAsync(Client, spec));
        Assert.Equal("failed", Api.Status(job));
        var start = Api.Steps(job).Single(s => s["stepId"]!.GetValue<string>() == "start-primary");
        var output = start["output"]!.GetValue<string>();
        Assert.Equal("failed", Api.Status(start));
        Assert.Contains("The server did not start.", output, StringComparison.Ordinal);
        Assert.Contains(", last lines:", output, StringComparison.Ordinal);
        Assert.Contains("server.crt", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_taken_by_another_program_fails_at_preflight()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, _primaryPort);
        listener.Start();
        var job = await Api.WaitForJobAsync(Client, await Api.StartJobAsync(Client, Api.LocalSpec("taken", _primaryPort, _standbyPort)));
        Assert.Equal("failed", Api.Status(job));
        var failed = Assert.Single(Api.Steps(job), s => Api.Status(s) == "failed");
        Assert.Equal("preflight-port-primary", failed["stepId"]!.GetValue<string>());
        Assert.Contains($"another program already listens on 127.0.0.1:{_primaryPort}", failed["output"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_replication_password_appears_nowhere_in_the_history_or_the_sqlite_file()
    {
        const string password = "Rep1ication-Secret-Xq9";
        var job = await Api.WaitForJobAsync(Client, await Api.StartJobAsync(Client, Api.LocalSpec("secret", _primaryPort, _standbyPort, password)));
        Assert.True(Api.Status(job) == "succeeded", Api.Describe(job));
        Assert.DoesNotContain(password, job.ToJsonString());
        Assert.DoesNotContain(password, await Client.GetStringAsync("/api/jobs"));

        // The standby really uses it (the file is mode 0600), so the check above is not vacuous.
        var conf = await File.ReadAllTextAsync(Path.Combine(DataDirectory, "clusters", "secret", "standby1", "pgpanel.conf"));
        Assert.Contains(password, conf);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(DataDirectory, "clusters", "secret", "standby1", "pgpanel.conf")));

        await StopPanelAsync();
        foreach (var file in Directory.EnumerateFiles(DataDirectory, "pgpanel.db*"))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.DoesNotContain(password, System.Text.Encoding.UTF8.GetString(bytes));
            Assert.DoesNotContain(password, System.Text.Encoding.Unicode.GetString(bytes));
        }
    }

    private static Dictionary<string, string> Snapshot(string root) =>
        Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToDictionary(
            p => p,
            p => File.Exists(p) ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(p))) + File.GetUnixFileMode(p) : "dir" + File.GetUnixFileMode(p));
}
