using PgPanel.Core.Records;

namespace PgPanel.Core.Planning;

/// <summary>
/// One idempotent step. The runner runs <see cref="Unless"/> (exit 0: already in the desired state), compares
/// <see cref="Files"/>, runs <see cref="Check"/> (0 in sync, 1 out of sync, anything else an error) and runs
/// <see cref="Apply"/> only when something differs.
/// </summary>
public sealed record PlanStep
{
    public required string Id { get; init; }

    public required string Title { get; init; }

    /// <summary>The node the step is about: "primary", "standby1", …</summary>
    public required string Node { get; init; }

    public StepKind Kind { get; init; } = StepKind.Change;

    /// <summary>One line a DBA reads in the plan: why the step exists.</summary>
    public string? Description { get; init; }

    public PlanCommand? Unless { get; init; }

    public IReadOnlyList<PlanFile> Files { get; init; } = [];

    public PlanCommand? Check { get; init; }

    public IReadOnlyList<PlanCommand> Apply { get; init; } = [];

    /// <summary>Handler step ids to run when this step changes something.</summary>
    public IReadOnlyList<string> Notifies { get; init; } = [];

    /// <summary>Names of the secrets the step's commands and files use (environment variable names).</summary>
    public IReadOnlyList<string> Secrets { get; init; } = [];

    /// <summary>
    /// Steps of other nodes this pre-flight or verification step needs done first. The runner runs steps in plan order,
    /// so they are; an exported script run on several hosts at once waits instead: while a step it awaits runs on
    /// another host, it retries this step's commands on its own host until they pass (PGPANEL_WAIT_SECONDS at most).
    /// </summary>
    public IReadOnlyList<string> Awaits { get; init; } = [];

    /// <summary>
    /// Commands run when the step fails or is cancelled, best effort (their own failures are reported, not fatal): they
    /// give back what the step holds elsewhere, such as the replication slot of a clone on the primary.
    /// </summary>
    public IReadOnlyList<PlanCommand> OnFailure { get; init; } = [];

    /// <summary>True when the apply prints pg_basebackup -P progress the runner turns into a percentage.</summary>
    public bool ReportsProgress { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public IEnumerable<PlanCommand> AllCommands =>
        new[] { Unless, Check }.OfType<PlanCommand>().Concat(Apply);
}
