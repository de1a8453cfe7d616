using PgPanel.Core.Hosts;
using PgPanel.Core.Planning;
using PgPanel.Core.Records;
using PgPanel.Core.Runs;
using PgPanel.Core.Security;
using PgPanel.Core.Specs;

namespace PgPanel.Tests.Unit.Runs;

/// <summary>
/// The Review's pre-flight runs each pre-flight step through the job's own <see cref="PlanStepAction"/> path (guard,
/// then check: exit 0 passes), so the Review and a job cannot disagree; it applies nothing and records nothing.
/// </summary>
public sealed class ReviewPreflightTests
{
    private const string Password = "s3cret-Value-9";

    private static readonly Plan Plan = new()
    {
        ClusterName = "alpha",
        PostgresVersion = PgVersion.Of(15),
        Nodes = [],
        Steps =
        [
            Preflight("preflight-root-primary", check: "check-root"),
            Preflight("preflight-disk-primary", check: "check-disk"),
            Preflight("preflight-port-primary", check: "check-port", unless: "port-is-ours"),
            Preflight("preflight-datadir-primary", check: "check-datadir-broken"),
            Preflight("preflight-replication-standby1", check: "check-replication") with { Secrets = ["PGPANEL_REPLICATION_PASSWORD"] },
            new PlanStep { Id = "directory-primary", Title = "Directory", Node = "primary", Check = new PlanCommand("primary", "check-directory"), Apply = [new PlanCommand("primary", "make-directory")] },
        ],
    };

    [Fact]
    public async Task The_reviews_preflight_passes_and_fails_as_the_jobs_step_would_and_changes_nothing()
    {
        var shell = new ScriptedShell();
        var results = await Runner.PreflightAsync(Plan, Shells(shell), Secrets());

        Assert.Equal(["preflight-root-primary", "preflight-disk-primary", "preflight-port-primary", "preflight-datadir-primary"], results.Select(r => r.StepId));
        Assert.Equal([true, false, true, false], results.Select(r => r.Passed));
        Assert.Equal("running as root", results[0].Output);
        Assert.StartsWith("only 1 GiB free, password ", results[1].Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, results[1].Output, StringComparison.Ordinal);

        // The guard says the port is already PgPanel's: the check is not run, as in a job.
        Assert.Equal("Already in the desired state.", results[2].Output);
        Assert.DoesNotContain("check-port", shell.Ran);

        // Neither a step needing secrets nor a change step runs in the Review.
        Assert.DoesNotContain("check-replication", shell.Ran);
        Assert.DoesNotContain("check-directory", shell.Ran);
        Assert.DoesNotContain("make-directory", shell.Ran);

        // A job runs the same steps to the same verdicts.
        var context = new RunContext(Guid.NewGuid(), Plan, Shells(shell), Secrets());
        foreach (var result in results)
        {
            var step = Plan.Steps.Single(s => s.Id == result.StepId);
            var jobStep = new JobStep { StepId = step.Id, Title = step.Title, Node = step.Node, Kind = step.Kind };
            var run = new StepRun(context.JobId, jobStep, StepStatus.Pending, context.Redactor, new JobEvents(), TimeProvider.System);
            var outcome = await new PlanStepAction(context, step, []).RunAsync(run, CancellationToken.None);
            Assert.Equal(result.Passed, outcome.Status != StepStatus.Failed);
        }
    }

    [Fact]
    public async Task A_step_that_may_change_a_host_is_refused_as_a_preflight()
    {
        var context = new RunContext(Guid.Empty, Plan, Shells(new ScriptedShell()), Secrets());
        var change = new PlanStepAction(context, Plan.Steps[^1], []);
        await Assert.ThrowsAsync<InvalidOperationException>(() => change.PreflightAsync(CancellationToken.None));
    }

    private static PlanStep Preflight(string id, string check, string? unless = null) => new()
    {
        Id = id,
        Title = id,
        Node = "primary",
        Kind = StepKind.Preflight,
        Check = new PlanCommand("primary", check),
        Unless = unless is null ? null : new PlanCommand("primary", unless),
    };

    private static Dictionary<string, IHostShell> Shells(IHostShell shell) => new(StringComparer.Ordinal) { ["primary"] = shell };

    private static Dictionary<string, Secret> Secrets() => new(StringComparer.Ordinal) { ["PGPANEL_REPLICATION_PASSWORD"] = new Secret(Password) };

    /// <summary>A host whose "scripts" are names with a fixed answer.</summary>
    private sealed class ScriptedShell : IHostShell
    {
        private static readonly Dictionary<string, (int ExitCode, string[] Lines)> Answers = new(StringComparer.Ordinal)
        {
            ["check-root"] = (0, ["running as root"]),
            ["check-disk"] = (1, ["only 1 GiB free, password " + Password]),
            ["port-is-ours"] = (0, ["the guard's own output is not shown"]),
            ["check-port"] = (2, ["must not run"]),
            ["check-datadir-broken"] = (3, ["cannot read /var/lib/postgresql"]),
        };

        private readonly List<string> _ran = [];

        public IReadOnlyList<string> Ran
        {
            get
            {
                lock (_ran)
                {
                    return [.. _ran];
                }
            }
        }

        public string Description => "the test host";

        public bool CanBecomeRoot => true;

        public string? HostKeyFingerprint => null;

        public PrivilegeMode? Privilege => null;

        public Task<ShellResult> RunAsync(ShellCommand command, Action<string>? onOutput = null, CancellationToken cancellationToken = default)
        {
            lock (_ran)
            {
                _ran.Add(command.Script);
            }

            var (exitCode, lines) = Answers.TryGetValue(command.Script, out var answer) ? answer : (0, []);
            foreach (var line in lines)
            {
                onOutput?.Invoke(line);
            }

            return Task.FromResult(new ShellResult(exitCode, string.Join('\n', lines)));
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
