namespace PgPanel.Core.Records;

/// <summary>One setting changed in the panel (key → value as text); configuration gives the defaults.</summary>
public sealed class PanelSetting
{
    public required string Key { get; set; }

    public required string Value { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public string UpdatedBy { get; set; } = "";
}
