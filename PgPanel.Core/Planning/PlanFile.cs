namespace PgPanel.Core.Planning;

/// <summary>
/// A file a step owns, rendered whole. Its content may hold secret placeholders (<see cref="SecretPlaceholder"/>) that
/// only the runner fills in, so the plan, its export and the job history never hold the value.
/// </summary>
public sealed record PlanFile(string Node, string Path, string Content, string Mode, string? RunAs)
{
    public static string SecretPlaceholder(string secretName) => "{{secret:" + secretName + "}}";
}
