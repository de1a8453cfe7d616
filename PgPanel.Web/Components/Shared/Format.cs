using System.Globalization;

namespace PgPanel.Web.Components.Shared;

/// <summary>Numbers as a DBA reads them.</summary>
public static class Format
{
    public static string Bytes(long? bytes) => bytes is { } b ? Core.Text.HumanUnits.Bytes(b) : "–";

    public static string Seconds(double? seconds) => seconds is null ? "–" : seconds.Value.ToString("0.000", CultureInfo.InvariantCulture) + " s";

    public static string Duration(DateTimeOffset? start, DateTimeOffset? end) =>
        start is null ? "" : ((end ?? DateTimeOffset.UtcNow) - start.Value).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
}
