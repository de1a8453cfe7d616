using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using PgPanel.Core.Extensions;
using PgPanel.Core.Monitoring;
using PgPanel.Core.Planning;
using PgPanel.Core.Records;
using PgPanel.Core.Security;
using PgPanel.Core.Specs;
using PgPanel.Tests.TestBed;
using static PgPanel.Core.Security.ShellQuote;

namespace PgPanel.Tests.Integration.Postgres;

/// <summary>
/// The monitor's version-aware statement on real servers of every major from 10 to 18: a streaming pair per version
/// (standby.signal from 12, recovery.conf before), sampled as the pgpanel_monitor login with only pg_monitor.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class MonitorVersionMatrixTests : IAsyncLifetime
{
    private const string MonitorPassword = "Monitor-Password-2026";

    private readonly TestDirectory _directory = new("matrix");
    private IHost _host = null!;

    public static TheoryData<int> Majors() => [.. PostgresBinaries.Majors];

    public async Task InitializeAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PgPanel:DataDirectory"] = Path.Combine(_directory.Path, "panel"),
            ["PgPanel:Monitoring:Enabled"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.AddPgPanelCore();
        _host = builder.Build();
        await _host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        foreach (var pidFile in Directory.EnumerateFiles(_directory.Path, "postmaster.pid", SearchOption.AllDirectories))
        {
            var data = Path.GetDirectoryName(pidFile)!;
            var major = int.Parse(File.ReadAllText(Path.Combine(data, "PG_VERSION")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            await LocalPostgres.RunAsync($"{Quote(PostgresBinaries.BinDirectory(major) + "/pg_ctl")} stop -D {Quote(data)} -m immediate -w -t 30 || true");
        }

        _directory.Dispose();
    }

    [Theory]
    [MemberData(nameof(Majors))]
    public async Task The_monitor_reads_a_streaming_pair_of_every_major(int major)
    {
        var bin = PostgresBinaries.BinDirectory(major);
        var ports = FreePorts.Take(2);
        var spec = new ClusterSpec
        {
            Name = $"v{major}",
            PostgresVersion = PgVersion.Of(major),
            Primary = new NodeSpec { Host = "127.0.0.1", Port = ports[0] },
            Standbys = [new NodeSpec { Host = "127.0.0.1", Port = ports[1] }],
        };
        var standbyName = ConfigRenderer.StandbyName(spec, "standby1");
        var primary = Path.Combine(_directory.Path, $"v{major}", "primary");
        var standby = Path.Combine(_directory.Path, $"v{major}", "standby");
        var socket = Path.Combine(_directory.Path, $"v{major}");
        Directory.CreateDirectory(socket);
        File.SetUnixFileMode(socket, (UnixFileMode)0b111_111_111);

        await RunAsync($"{Quote(bin + "/initdb")} -D {Quote(primary)} -U postgres -A trust --no-sync >/dev/null");
        await RunAsync($$"""
            cat >> {{Quote(primary + "/postgresql.conf")}} <<'EOF'
            listen_addresses = '127.0.0.1'
            port = {{ports[0]}}
            unix_socket_directories = '{{socket}}'
            wal_level = replica
            max_wal_senders = 5
            max_replication_slots = 5
            hot_standby = on
            wal_receiver_status_interval = 1s
            fsync = off
            EOF
            cat > {{Quote(primary + "/pg_hba.conf")}} <<'EOF'
            local all all trust
            host replication postgres 127.0.0.1/32 trust
            host all pgpanel_monitor 127.0.0.1/32 scram-sha-256
            host all postgres 127.0.0.1/32 trust
            EOF
            """);
        await RunAsync($"{Quote(bin + "/pg_ctl")} start -D {Quote(primary)} -l {Quote(primary + ".log")} -w -t 60 >/dev/null");
        await SqlAsync(ports[0],
            "SET password_encryption = 'scram-sha-256'",
            $"CREATE ROLE pgpanel_monitor LOGIN PASSWORD {SqlQuote.Literal(MonitorPassword)}",
            "GRANT pg_monitor TO pgpanel_monitor",
            $"SELECT pg_create_physical_replication_slot({SqlQuote.Literal(standbyName)})");

        // A standby from a clean copy of the stopped primary: the version's own way to say "standby".
        await RunAsync($"{Quote(bin + "/pg_ctl")} stop -D {Quote(primary)} -m fast -w >/dev/null && cp -a {Quote(primary)} {Quote(standby)}");
        var conninfo = $"host=127.0.0.1 port={ports[0]} user=postgres application_name={standbyName}";
        var standbySettings = $"primary_conninfo = '{conninfo}'\nprimary_slot_name = '{standbyName}'\n";
        if (major >= 12)
        {
            await RunAsync($"printf '%s' {Quote(standbySettings + $"port = {ports[1]}\n")} >> {Quote(standby + "/postgresql.conf")} && touch {Quote(standby + "/standby.signal")}");
        }
        else
        {
            await RunAsync($"printf '%s' {Quote($"port = {ports[1]}\n")} >> {Quote(standby + "/postgresql.conf")} && printf '%s' {Quote("standby_mode = 'on'\n" + standbySettings)} > {Quote(standby + "/recovery.conf")}");
        }

        await RunAsync($"{Quote(bin + "/pg_ctl")} start -D {Quote(primary)} -l {Quote(primary + ".log")} -w -t 60 >/dev/null");
        await RunAsync($"{Quote(bin + "/pg_ctl")} start -D {Quote(standby)} -l {Quote(standby + ".log")} -w -t 60 >/dev/null");
        await SqlAsync(ports[0], "CREATE TABLE canary AS SELECT 1 AS v");

        var monitor = _host.Services.GetRequiredService<ReplicationMonitor>();
        var target = MonitorTargetSource.For(spec, new Secret(MonitorPassword));
        ClusterSample sample;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            await Task.Delay(300);
            sample = await monitor.SampleClusterAsync(target, CancellationToken.None);
        }
        while (!(sample.Health == ClusterHealth.Healthy && sample.Standbys[0].ReplayLagBytes == 0) && DateTime.UtcNow < deadline);

        var node = Assert.Single(sample.Standbys);
        var log = await File.ReadAllTextAsync(standby + ".log");
        Assert.True(sample.Primary.Reachable, sample.Primary.Error);
        Assert.True(node.Reachable, node.Error);
        Assert.Equal(ClusterHealth.Healthy, sample.Health);
        Assert.Equal(StandbyState.Streaming, node.State);
        Assert.Equal((false, true), (sample.Primary.InRecovery, node.InRecovery));
        var sender = Assert.Single(sample.Primary.Senders);
        Assert.Equal((standbyName, "streaming", "127.0.0.1"), (sender.ApplicationName, sender.State, sender.ClientAddr));
        Assert.Equal(0, node.ReplayLagBytes);
        Assert.Equal("streaming", node.ReceiverStatus);
        Assert.Equal(0, node.ReceiveReplayGapBytes);
        Assert.NotNull(node.LastMessageAt);
        Assert.Equal(node.Pid, node.Processes.Single(p => p.Kind == "walreceiver").Pid);
        Assert.Equal(sender.Pid, sample.Primary.Processes.Single(p => p.Kind == "walsender").Pid);
        var slot = Assert.Single(sample.Primary.Slots);
        Assert.Equal((standbyName, true), (slot.Name, slot.Active));
        Assert.NotNull(node.ReceivedLsn);
        Assert.Equal(ports[0], major >= 11 ? node.SenderPort : ports[0]);
        Assert.True(major < 11 || node.SenderHost == "127.0.0.1", $"sender host {node.SenderHost}; standby log: {log}");
        Assert.Equal(1L, await ScalarAsync(ports[1], "SELECT count(*) FROM canary"));
    }

    private static async Task RunAsync(string script)
    {
        var result = await LocalPostgres.RunAsync(script);
        Assert.True(result.Succeeded, $"{script}\n→ {result.ExitCode}: {result.Output}");
    }

    private static async Task SqlAsync(int port, params string[] statements)
    {
        await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false");
        await connection.OpenAsync();
        foreach (var statement in statements)
        {
            await using var command = new NpgsqlCommand(statement, connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    private static async Task<long> ScalarAsync(int port, string sql)
    {
        await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
