using System.Globalization;

namespace PgPanel.Core.Text;

/// <summary>Sizes and durations as a DBA reads them (binary units, invariant culture): one wording for alerts, logs and pages.</summary>
public static class HumanUnits
{
    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes / 1024d).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        < 1024L * 1024 * 1024 => (bytes / 1024d / 1024).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
        _ => (bytes / 1024d / 1024 / 1024).ToString("0.00", CultureInfo.InvariantCulture) + " GiB",
    };

    public static string Seconds(double seconds) => seconds switch
    {
        < 60 => seconds.ToString("0.0", CultureInfo.InvariantCulture) + " s",
        < 3600 => $"{(int)(seconds / 60)} min {(int)(seconds % 60)} s",
        < 172800 => $"{(int)(seconds / 3600)} h {(int)(seconds % 3600 / 60)} min",
        _ => $"{(int)(seconds / 86400)} d {(int)(seconds % 86400 / 3600)} h",
    };
}
