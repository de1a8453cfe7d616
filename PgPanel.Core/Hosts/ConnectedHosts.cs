using PgPanel.Core.Specs;

namespace PgPanel.Core.Hosts;

/// <summary>One open shell per distinct host of a spec, shared by the nodes on it, and the host keys they showed.</summary>
public sealed class ConnectedHosts : IAsyncDisposable
{
    private readonly List<IHostShell> _shells = [];

    public Dictionary<string, IHostShell> ByNode { get; } = new(StringComparer.Ordinal);

    /// <summary>Endpoint → host key fingerprint the server presented.</summary>
    public Dictionary<string, string> Fingerprints { get; } = new(StringComparer.Ordinal);

    /// <summary>Connects to every host of the spec (all before anything runs, so a bad host fails the job up front).</summary>
    /// <param name="pins">Endpoint → pinned fingerprint, used where the spec names none.</param>
    /// <param name="only">When set, only these nodes are connected.</param>
    public static async Task<ConnectedHosts> ConnectAsync(IHostShellFactory factory, ClusterSpec spec, IReadOnlyDictionary<string, string> pins,
        Func<string, bool>? only = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(spec);
        var hosts = new ConnectedHosts();
        var byHost = new Dictionary<string, IHostShell>(StringComparer.Ordinal);
        try
        {
            foreach (var nodeId in NodeId.All(spec).Where(n => only?.Invoke(n.ToString()) ?? true))
            {
                var (id, node) = (nodeId.ToString(), nodeId.In(spec));
                var key = HostShellFactory.HostKey(node);
                if (!byHost.TryGetValue(key, out var shell))
                {
                    var endpoint = HostShellFactory.EndpointOf(node);
                    shell = await factory.ConnectAsync(node, pins.GetValueOrDefault(endpoint), cancellationToken).ConfigureAwait(false);
                    byHost[key] = shell;
                    hosts._shells.Add(shell);
                    if (shell.HostKeyFingerprint is { } fingerprint)
                    {
                        hosts.Fingerprints[endpoint] = fingerprint;
                    }
                }

                hosts.ByNode[id] = shell;
            }
        }
        catch
        {
            await hosts.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return hosts;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var shell in _shells)
        {
            await shell.DisposeAsync().ConfigureAwait(false);
        }

        _shells.Clear();
    }
}
