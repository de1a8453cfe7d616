using System.Net;
using System.Net.Sockets;

namespace PgPanel.Bench;

/// <summary>
/// Loopback ports nobody listens on (nor holds a PostgreSQL socket for), from 10000–20000: away from the tests' 21000–32000
/// and below the kernel's ephemeral range (32768–60999), which outgoing connections take their local ports from.
/// </summary>
public static class BenchPorts
{
    private static int _next = 10000 + (Environment.ProcessId % 400) * 20;

    public static int[] Take(int count)
    {
        var ports = new List<int>();
        while (ports.Count < count)
        {
            var port = Interlocked.Increment(ref _next);
            if (port > 20000)
            {
                Interlocked.Exchange(ref _next, 10000);
                continue;
            }

            if (IsFree(port))
            {
                ports.Add(port);
            }
        }

        return [.. ports];
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return !File.Exists($"/var/run/postgresql/.s.PGSQL.{port}") && !File.Exists($"/tmp/.s.PGSQL.{port}");
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
