namespace PgPanel.Core.Planning;

/// <summary>
/// A file a step owns, rendered whole. Its content may hold secret placeholders (<see cref="SecretPlaceholder"/>) that
/// only the runner fills in, so the plan, its export and the job history never hold the value.
/// </summary>
public sealed record PlanFile(string Node, string Path, string Content, string Mode, string? RunAs)
{
    /// <summary>True when the file's directory is created (0755) if it is missing, as for a systemd drop-in directory.</summary>
    public bool CreateParent { get; init; }

    public static string SecretPlaceholder(string secretName) => "{{secret:" + secretName + "}}";
}
