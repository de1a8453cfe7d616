using System.Net;
using System.Net.Sockets;

namespace PgPanel.Tests.TestBed;

/// <summary>Loopback ports nobody listens on right now, from a range away from 5432.</summary>
public static class FreePorts
{
    private static int _next = 56000 + (Environment.ProcessId % 500) * 4;

    public static int[] Take(int count)
    {
        var ports = new List<int>();
        while (ports.Count < count)
        {
            var port = Interlocked.Increment(ref _next);
            if (port > 64000)
            {
                Interlocked.Exchange(ref _next, 56000);
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
