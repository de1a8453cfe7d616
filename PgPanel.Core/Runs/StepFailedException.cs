namespace PgPanel.Core.Runs;

/// <summary>A command of a step ended with an exit code that means failure.</summary>
internal sealed class StepFailedException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
