using System.Net;
using System.Net.Sockets;

namespace PgPanel.Testing;

/// <summary>
/// Loopback ports nobody listens on (nor holds a PostgreSQL socket for) right now, from a range of its own. Keep every
/// range below the kernel's ephemeral range (32768–60999), so an outgoing connection's local port can never hold the port
/// a server is about to bind, and away from 5432. Each process starts at its own offset in the range (by its PID), so two
/// processes picking at once rarely try the same ports.
/// </summary>
public sealed class FreePortRange
{
    private const int Stride = 20;

    private readonly int _first;
    private readonly int _last;
    private int _next;

    public FreePortRange(int first, int last)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(first, 1024);
        ArgumentOutOfRangeException.ThrowIfLessThan(last, first + Stride);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(last, 65535);
        _first = first;
        _last = last;
        _next = first + Environment.ProcessId % ((last - first) / Stride) * Stride;
    }

    /// <summary>The next <paramref name="count"/> free ports, each different; thread-safe.</summary>
    public int[] Take(int count)
    {
        var ports = new List<int>();
        while (ports.Count < count)
        {
            var port = Interlocked.Increment(ref _next);
            if (port > _last)
            {
                Interlocked.Exchange(ref _next, _first);
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
