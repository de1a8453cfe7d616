namespace PgPanel.Core.Specs;

/// <summary>postgresql.conf overrides for the primary and for the standbys.</summary>
public sealed record SettingsSpec
{
    public IReadOnlyDictionary<string, string> Primary { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Standby { get; init; } = new Dictionary<string, string>();
}
