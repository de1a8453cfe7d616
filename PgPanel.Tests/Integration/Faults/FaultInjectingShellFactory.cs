using PgPanel.Core.Hosts;
using PgPanel.Core.Specs;

namespace PgPanel.Tests.Integration.Faults;

/// <summary>
/// The real shell factory, with faults injected by the node's PostgreSQL port: connecting to <paramref name="connectFaultPort"/>
/// throws, and a shell for <paramref name="commandFaultPort"/> throws from the first command whose script contains
/// <paramref name="commandFaultWhen"/>. Every other node gets the real shell.
/// </summary>
internal sealed class FaultInjectingShellFactory(IHostShellFactory real, int connectFaultPort, int commandFaultPort, string commandFaultWhen) : IHostShellFactory
{
    public async Task<IHostShell> ConnectAsync(NodeSpec node, string? pinnedFingerprint = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.Port == connectFaultPort)
        {
            throw new ArgumentOutOfRangeException(nameof(node), "injected: the connection broke in a way nobody expected");
        }

        var shell = await real.ConnectAsync(node, pinnedFingerprint, cancellationToken);
        return node.Port == commandFaultPort ? new FaultingShell(shell, commandFaultWhen) : shell;
    }

    private sealed class FaultingShell(IHostShell inner, string when) : IHostShell
    {
        public string Description => inner.Description;

        public bool CanBecomeRoot => inner.CanBecomeRoot;

        public string? HostKeyFingerprint => inner.HostKeyFingerprint;

        public PrivilegeMode? Privilege => inner.Privilege;

        public Task<ShellResult> RunAsync(ShellCommand command, Action<string>? onOutput = null, CancellationToken cancellationToken = default) =>
            command.Script.Contains(when, StringComparison.Ordinal)
                ? throw new NullReferenceException("injected: a bug in the middle of a step")
                : inner.RunAsync(command, onOutput, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
