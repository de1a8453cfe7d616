namespace PgPanel.Core.Specs;

/// <summary>How the panel reaches a node.</summary>
public enum ConnectionKind
{
    /// <summary>The node is on the machine the panel runs on.</summary>
    Local,

    /// <summary>The node is reached over SSH.</summary>
    Ssh,
}
