namespace PgPanel.Core.Runs;

/// <summary>
/// An expected failure of a step, with the reason a DBA reads in the run (a command's exit code that means failure, a
/// refused cloud call, a host that cannot be reached). <see cref="ExitCode"/> is null when no command ended.
/// </summary>
public sealed class StepFailedException(int? exitCode, string message) : Exception(message)
{
    public int? ExitCode { get; } = exitCode;
}
