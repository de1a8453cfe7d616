namespace PgPanel.Core.Planning;

/// <summary>The panel's settings a plan depends on (from PgPanel:Jobs), so the planner stays pure.</summary>
/// <param name="FailedCloneKeepHours">A failed clone's copy is kept this long beside the data directory, then removed by the next clone.</param>
/// <param name="FailedCloneKeepCount">At most this many failed clone copies are kept.</param>
public sealed record PlanOptions(int FailedCloneKeepHours = 24, int FailedCloneKeepCount = 2)
{
    public static PlanOptions Default { get; } = new();
}
