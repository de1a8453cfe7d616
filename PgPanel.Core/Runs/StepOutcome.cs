using PgPanel.Core.Records;

namespace PgPanel.Core.Runs;

/// <summary>How one step ended.</summary>
public sealed record StepOutcome(StepStatus Status, int? ExitCode);
