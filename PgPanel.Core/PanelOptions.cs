namespace PgPanel.Core;

/// <summary>The panel's configuration, bound from "PgPanel".</summary>
public sealed class PanelOptions
{
    public const string Section = "PgPanel";

    /// <summary>The SQLite file, the key ring and local clusters live here (relative: to the working directory).</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>Bearer token for the REST API (env PgPanel__ApiToken). Null: one is generated into the data directory.</summary>
    public string? ApiToken { get; set; }

    public string FullDataDirectory => Path.GetFullPath(DataDirectory);

    /// <summary>The absolute data directory, created (mode 0755, so the postgres user can reach local clusters) when missing.</summary>
    public string EnsureDataDirectory()
    {
        var path = FullDataDirectory;
        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        return path;
    }
}
