using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using PgPanel.Core;
using PgPanel.Core.Monitoring;
using PgPanel.Core.Security;
using PgPanel.Core.Specs;

namespace PgPanel.Tests.Unit.Monitoring;

/// <summary>
/// New monitor connections to one server go through a gate of <see cref="NodeSources.ConnectsPerServer"/> attempts:
/// a server that is slow to start backends is not buried under hundreds of attempts that all time out. The server here
/// is a loopback socket that accepts and never answers, so every attempt stays in flight until its timeout.
/// </summary>
public sealed class NodeSourcesGateTests
{
    [Fact]
    public async Task At_most_the_gate_s_attempts_reach_one_server_at_once_while_the_others_wait()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = new List<Socket>();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            while (true)
            {
                var socket = await listener.AcceptSocketAsync(stop.Token);
                lock (accepted)
                {
                    accepted.Add(socket);
                }
            }
        });
        int Accepted()
        {
            lock (accepted)
            {
                return accepted.Count;
            }
        }

        // Attempts time out after 10 s (Npgsql does not end a connection attempt on a cancel); the test has seen all it
        // needs long before, and cancels the waiters.
        await using var sources = new NodeSources(Options.Create(new MonitorOptions { TimeoutSeconds = 10 }));
        var password = new Secret("not-used-by-a-server-that-never-answers");
        using var giveUp = new CancellationTokenSource();
        var attempts = Enumerable.Range(0, 12).Select(async i =>
        {
            var target = new MonitorTarget($"c{i}", PgVersion.Of(15), [new MonitorNode("primary", "127.0.0.1", port, null)], password);
            await using var connection = await sources.OpenConnectionAsync(target, target.Primary, giveUp.Token);
            return "connected";
        }).ToList();

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (Accepted() < NodeSources.ConnectsPerServer && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        await Task.Delay(500);
        Assert.Equal(NodeSources.ConnectsPerServer, Accepted());
        Assert.All(attempts, a => Assert.False(a.IsCompleted));

        await giveUp.CancelAsync();
        foreach (var attempt in attempts)
        {
            // The waiters end with the gate's OperationCanceledException; the four in flight with Npgsql's cancel.
            await Assert.ThrowsAnyAsync<Exception>(() => attempt);
        }

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => accepting);
        Assert.Equal(NodeSources.ConnectsPerServer, Accepted());
        foreach (var socket in accepted)
        {
            socket.Dispose();
        }
    }
}
