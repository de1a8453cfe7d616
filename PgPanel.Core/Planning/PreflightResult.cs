namespace PgPanel.Core.Planning;

/// <summary>One pre-flight check run before anything is provisioned, as the wizard's review shows it.</summary>
public sealed record PreflightResult(string StepId, string Title, string Node, bool Passed, string Output);
