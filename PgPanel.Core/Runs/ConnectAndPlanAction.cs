using System.Text;
using PgPanel.Core.Hosts;
using PgPanel.Core.Planning;
using PgPanel.Core.Records;
using PgPanel.Core.Specs;

namespace PgPanel.Core.Runs;

/// <summary>
/// A job's connect step: reach every host (pinning new SSH host keys), probe them, plan, and record the plan's steps
/// (numbered after the connect step). On success <see cref="Hosts"/>, <see cref="Plan"/> and <see cref="Steps"/> hold
/// what the rest of the job runs on. Besides the spec and the facts, the plan takes where local clusters live
/// (<paramref name="localRoot"/>), the job options and the slots to drop.
/// </summary>
public sealed class ConnectAndPlanAction(
    ClusterSpec spec, Func<CancellationToken, Task<ConnectedHosts>> connectAsync, string localRoot, PlanOptions planOptions,
    IReadOnlyList<string> dropSlots, Func<Plan, List<JobStep>, CancellationToken, Task> savePlanAsync,
    IReadOnlyDictionary<string, string> secretSources) : IStepAction
{
    public ConnectedHosts? Hosts { get; private set; }

    public Plan? Plan { get; private set; }

    public List<JobStep>? Steps { get; private set; }

    public string Where => string.Join(", ", Planner.NodeIds(spec).Select(id => $"{id} ({Planner.NodeSpecOf(spec, id).Host})"));

    /// <summary>Connecting has its own timeouts (SSH connect, the probe's commands).</summary>
    public bool WatchIdle => false;

    public string Describe() =>
        "Connect to every node's host (this machine, or SSH with the host key pinned on first use and checked after), " +
        "collect its facts (OS, PostgreSQL installed, root, systemd) and plan the steps below from them.";

    public async Task<StepOutcome> RunAsync(StepRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        try
        {
            Hosts = await connectAsync(cancellationToken).ConfigureAwait(false);
            run.Touch();
            var facts = await FactsCollector.CollectAsync(spec, Hosts.ByNode, localRoot, cancellationToken).ConfigureAwait(false);
            var plan = Planner.Create(new PlanRequest(spec, facts, localRoot, planOptions, dropSlots));
            var steps = plan.Steps.Select((s, i) => new JobStep
            {
                Index = run.Step.Index + i + 1,
                StepId = s.Id,
                Title = s.Title,
                Node = s.Node,
                Kind = s.Kind,
                Status = StepStatus.Pending,
                Commands = run.Redactor.Redact(PlanStepAction.DescribeStep(plan, s)),
            }).ToList();
            await savePlanAsync(plan, steps, CancellationToken.None).ConfigureAwait(false);
            (Plan, Steps) = (plan, steps);

            var summary = new StringBuilder();
            foreach (var id in Planner.NodeIds(spec))
            {
                var f = facts[id];
                var node = Planner.NodeSpecOf(spec, id);
                Hosts.Fingerprints.TryGetValue(HostShellFactory.EndpointOf(node), out var fingerprint);
                summary.Append($"{id}: {Hosts.ByNode[id].Description} — {f.PrettyName ?? f.Os.ToString()}, PostgreSQL installed: " +
                    $"{(f.PostgresBinDirectories.Count == 0 ? "none" : string.Join(", ", f.PostgresBinDirectories.Keys.Order()))}, " +
                    $"{(f.CanBecomeRoot ? "root available" : "no root")}, {(f.HasSystemd ? "systemd" : "no systemd")}" +
                    (fingerprint is null ? "" : $", host key {fingerprint}") + "\n");
            }

            summary.Append($"Planned {plan.Steps.Count} steps.");
            run.Write(summary.ToString());
            return new StepOutcome(StepStatus.Unchanged, 0);
        }
        catch (Exception ex)
        {
            if (Hosts is not null)
            {
                try
                {
                    await Hosts.DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception disposal) when (disposal is not OperationCanceledException)
                {
                    // The failure that matters is the one being handled; a connection that closes badly adds nothing.
                }

                Hosts = null;
            }

            if (ex is StoreUnavailableException || (ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                throw;
            }

            // Which credentials were tried and where they came from: a password kept from an earlier run is named as such.
            var credentials = secretSources.Where(s => s.Key.StartsWith("ssh.", StringComparison.Ordinal) || s.Key.StartsWith("cloud.", StringComparison.Ordinal))
                .OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key} ({s.Value})").ToList();
            throw new StepFailedException(null, ExceptionText.Of(ex) + (credentials.Count == 0 ? "" : $"\nCredentials this run used: {string.Join("; ", credentials)}."));
        }
    }

    public Task RescueAsync(StepRun run) => Task.CompletedTask;
}
