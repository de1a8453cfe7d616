namespace PgPanel.Core.Hosts;

/// <summary>How a command ended: its exit code and everything it printed (stdout and stderr, interleaved).</summary>
public sealed record ShellResult(int ExitCode, string Output)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The last non-empty line of the output.</summary>
    public string LastLine => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
}
