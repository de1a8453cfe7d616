namespace PgPanel.Core.Runs;

public enum JobEventKind
{
    JobStatusChanged,
    StepStarted,
    StepOutput,
    StepProgress,
    StepFinished,
}
