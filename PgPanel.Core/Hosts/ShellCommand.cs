namespace PgPanel.Core.Hosts;

/// <summary>A bash script to run on a host.</summary>
/// <param name="Script">Run by bash with errexit, nounset and pipefail.</param>
/// <param name="RunAs">The OS user; null: the connection's own user.</param>
/// <param name="Environment">Variables for the script (secrets travel here, never in the script text or argv).</param>
/// <param name="StandardInput">Bytes written to the script's standard input, then closed.</param>
public sealed record ShellCommand(
    string Script,
    string? RunAs = null,
    IReadOnlyDictionary<string, string>? Environment = null,
    string? StandardInput = null);
