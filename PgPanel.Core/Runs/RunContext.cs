using PgPanel.Core.Hosts;
using PgPanel.Core.Planning;
using PgPanel.Core.Security;

namespace PgPanel.Core.Runs;

/// <summary>What the runner needs for one job: its plan, a shell per node, the secrets and how to redact them.</summary>
public sealed record RunContext(Guid JobId, Plan Plan, IReadOnlyDictionary<string, IHostShell> Shells, IReadOnlyDictionary<string, Secret> Secrets)
{
    public Redactor Redactor { get; } = new(Secrets.Values);
}
