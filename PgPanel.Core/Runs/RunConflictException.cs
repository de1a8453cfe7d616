namespace PgPanel.Core.Runs;

/// <summary>
/// A request that the state of a run or a cluster does not allow now (another run is active, the run is not one that
/// can be resumed or released). The API answers 409 with the message; pages show it.
/// </summary>
public sealed class RunConflictException(string message) : InvalidOperationException(message);
