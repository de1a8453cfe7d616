using PgPanel.Core.Specs;

namespace PgPanel.Core.Settings;

/// <summary>The settings a DBA changes in the panel: wizard defaults, monitor interval, alert thresholds, webhook.</summary>
public sealed record EditableSettings
{
    /// <summary>Null: the newest version installed on this machine.</summary>
    public PgVersion? DefaultPostgresVersion { get; init; }

    public int DefaultPrimaryPort { get; init; } = 5432;

    public int DefaultStandbyPort { get; init; } = 5433;

    public double MonitorIntervalSeconds { get; init; } = 2;

    public long LagBytesThreshold { get; init; } = 16L * 1024 * 1024;

    public double LagSecondsThreshold { get; init; } = 30;

    public string? WebhookUrl { get; init; }

    /// <summary>Field errors, empty when the settings can be saved.</summary>
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (DefaultPostgresVersion is { IsSupported: false })
        {
            errors["defaultPostgresVersion"] = [$"Choose one of {string.Join(", ", PgVersion.Supported)}."];
        }

        if (DefaultPrimaryPort is < 1 or > 65535)
        {
            errors["defaultPrimaryPort"] = ["A port is a number from 1 to 65535."];
        }

        if (DefaultStandbyPort is < 1 or > 65535 || DefaultStandbyPort == DefaultPrimaryPort)
        {
            errors["defaultStandbyPort"] = ["A port from 1 to 65535, other than the primary's."];
        }

        if (MonitorIntervalSeconds is < 1 or > 3600)
        {
            errors["monitorIntervalSeconds"] = ["Sample every 1 to 3600 seconds."];
        }

        if (LagBytesThreshold < 1)
        {
            errors["lagBytesThreshold"] = ["Give a number of bytes above 0."];
        }

        if (LagSecondsThreshold is <= 0 or > 86400)
        {
            errors["lagSecondsThreshold"] = ["Give seconds above 0 and at most a day."];
        }

        if (!string.IsNullOrWhiteSpace(WebhookUrl) &&
            (!Uri.TryCreate(WebhookUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || WebhookUrl.Length > 500))
        {
            errors["webhookUrl"] = ["Give an absolute http(s) URL of at most 500 characters, or nothing."];
        }

        return errors;
    }
}
