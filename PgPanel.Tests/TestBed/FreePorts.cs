using System.Net;
using System.Net.Sockets;

namespace PgPanel.Tests.TestBed;

/// <summary>
/// Loopback ports nobody listens on right now, from 21000–32000: away from 5432 and below the kernel's ephemeral range
/// (32768–60999), so an outgoing connection's local port can never hold the port a test server is about to bind.
/// </summary>
public static class FreePorts
{
    private const int First = 21000;
    private const int Last = 32000;

    private static int _next = First + (Environment.ProcessId % 500) * 20;

    public static int[] Take(int count)
    {
        var ports = new List<int>();
        while (ports.Count < count)
        {
            var port = Interlocked.Increment(ref _next);
            if (port > Last)
            {
                Interlocked.Exchange(ref _next, First);
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
