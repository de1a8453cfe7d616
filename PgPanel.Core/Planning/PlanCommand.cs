namespace PgPanel.Core.Planning;

/// <summary>
/// A bash script run on one node as one OS user. Secrets are referenced as environment variables
/// (<c>$PGPANEL_REPLICATION_PASSWORD</c>), never written into the text.
/// </summary>
/// <param name="Node">The node whose host runs the script.</param>
/// <param name="Script">The script text, run by <c>bash</c> with errexit, nounset and pipefail.</param>
/// <param name="RunAs">The OS user; null: the user the connection logs in as.</param>
/// <param name="CaptureAs">When set, the last line of the output becomes this environment variable for later commands of the step.</param>
public sealed record PlanCommand(string Node, string Script, string? RunAs = null, string? CaptureAs = null);
