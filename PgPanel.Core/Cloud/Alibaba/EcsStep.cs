using PgPanel.Core.Records;

namespace PgPanel.Core.Cloud.Alibaba;

/// <summary>
/// One cloud step of a run, defined once: its id and title, the API calls it makes as the Review and the run's
/// "Commands" show them, and the code that makes them. The description and the run come from this same object.
/// </summary>
public sealed record EcsStep(
    string Id, string Title, IReadOnlyList<PlannedCloudCall> Calls, Func<EcsProvisioner, EcsRun, CancellationToken, Task<StepStatus>> Run)
{
    /// <summary>The calls as the step's commands: one line each.</summary>
    public string Describe() => string.Join('\n', Calls.Select(c => $"{c.Api} {c.Action} {c.Parameters}"));
}
