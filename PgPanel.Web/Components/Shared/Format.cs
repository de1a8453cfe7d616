using System.Globalization;

namespace PgPanel.Web.Components.Shared;

/// <summary>Numbers as a DBA reads them.</summary>
public static class Format
{
    public static string Bytes(long? bytes) => bytes switch
    {
        null => "–",
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes.Value / 1024d).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        < 1024L * 1024 * 1024 => (bytes.Value / 1024d / 1024).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
        _ => (bytes.Value / 1024d / 1024 / 1024).ToString("0.00", CultureInfo.InvariantCulture) + " GiB",
    };

    public static string Seconds(double? seconds) => seconds is null ? "–" : seconds.Value.ToString("0.000", CultureInfo.InvariantCulture) + " s";

    public static string Duration(DateTimeOffset? start, DateTimeOffset? end) =>
        start is null ? "" : ((end ?? DateTimeOffset.UtcNow) - start.Value).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
}
