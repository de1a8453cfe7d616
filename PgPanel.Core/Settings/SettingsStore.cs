using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PgPanel.Core.Persistence;
using PgPanel.Core.Records;
using PgPanel.Core.Specs;

namespace PgPanel.Core.Settings;

/// <summary>
/// Settings changed in the panel, kept in SQLite over the configured defaults. The monitor reads
/// <see cref="Monitor"/> on every interval, so a change applies without a restart.
/// </summary>
public sealed class SettingsStore(IDbContextFactory<PanelDbContext> contexts, IOptions<MonitorOptions> configured, TimeProvider time)
{
    private volatile MonitorOptions? _monitor;
    private volatile EditableSettings? _current;

    /// <summary>The monitor options in force: configuration, then what was saved in the panel.</summary>
    public MonitorOptions Monitor => _monitor ?? configured.Value;

    public EditableSettings Current => _current ?? FromConfiguration();

    /// <summary>Reads the saved settings (at start-up).</summary>
    public async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var saved = await db.Settings.AsNoTracking().ToDictionaryAsync(s => s.Key, s => s.Value, cancellationToken).ConfigureAwait(false);
        Apply(Merge(FromConfiguration(), saved));
    }

    public async Task SaveAsync(EditableSettings settings, string user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        foreach (var (key, value) in ToPairs(settings))
        {
            var row = await db.Settings.SingleOrDefaultAsync(s => s.Key == key, cancellationToken).ConfigureAwait(false);
            if (row is null)
            {
                db.Settings.Add(new PanelSetting { Key = key, Value = value, UpdatedAt = now, UpdatedBy = user });
            }
            else if (row.Value != value)
            {
                (row.Value, row.UpdatedAt, row.UpdatedBy) = (value, now, user);
            }
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        Apply(settings);
    }

    private void Apply(EditableSettings settings)
    {
        var c = configured.Value;
        _monitor = new MonitorOptions
        {
            Enabled = c.Enabled,
            IntervalSeconds = settings.MonitorIntervalSeconds,
            LagBytesThreshold = settings.LagBytesThreshold,
            LagSecondsThreshold = settings.LagSecondsThreshold,
            StaleSeconds = c.StaleSeconds,
            TimeoutSeconds = c.TimeoutSeconds,
            RecentMinutes = c.RecentMinutes,
            RetentionDays = c.RetentionDays,
            AlertRaiseAfter = c.AlertRaiseAfter,
            AlertClearAfter = c.AlertClearAfter,
            WebhookUrl = string.IsNullOrWhiteSpace(settings.WebhookUrl) ? null : settings.WebhookUrl,
        };
        _current = settings;
    }

    private EditableSettings FromConfiguration()
    {
        var c = configured.Value;
        return new EditableSettings
        {
            MonitorIntervalSeconds = c.Interval.TotalSeconds,
            LagBytesThreshold = c.LagBytesThreshold,
            LagSecondsThreshold = c.LagSecondsThreshold,
            WebhookUrl = c.WebhookUrl,
        };
    }

    private static IEnumerable<(string Key, string Value)> ToPairs(EditableSettings s) =>
    [
        ("defaultPostgresVersion", s.DefaultPostgresVersion?.ToString() ?? ""),
        ("defaultPrimaryPort", s.DefaultPrimaryPort.ToString(CultureInfo.InvariantCulture)),
        ("defaultStandbyPort", s.DefaultStandbyPort.ToString(CultureInfo.InvariantCulture)),
        ("monitorIntervalSeconds", s.MonitorIntervalSeconds.ToString(CultureInfo.InvariantCulture)),
        ("lagBytesThreshold", s.LagBytesThreshold.ToString(CultureInfo.InvariantCulture)),
        ("lagSecondsThreshold", s.LagSecondsThreshold.ToString(CultureInfo.InvariantCulture)),
        ("webhookUrl", s.WebhookUrl ?? ""),
    ];

    private static EditableSettings Merge(EditableSettings defaults, IReadOnlyDictionary<string, string> saved)
    {
        string? Get(string key) => saved.TryGetValue(key, out var v) ? v : null;
        return defaults with
        {
            DefaultPostgresVersion = PgVersion.TryParse(Get("defaultPostgresVersion"), out var v) ? v : defaults.DefaultPostgresVersion,
            DefaultPrimaryPort = int.TryParse(Get("defaultPrimaryPort"), CultureInfo.InvariantCulture, out var pp) ? pp : defaults.DefaultPrimaryPort,
            DefaultStandbyPort = int.TryParse(Get("defaultStandbyPort"), CultureInfo.InvariantCulture, out var sp) ? sp : defaults.DefaultStandbyPort,
            MonitorIntervalSeconds = double.TryParse(Get("monitorIntervalSeconds"), CultureInfo.InvariantCulture, out var i) ? i : defaults.MonitorIntervalSeconds,
            LagBytesThreshold = long.TryParse(Get("lagBytesThreshold"), CultureInfo.InvariantCulture, out var lb) ? lb : defaults.LagBytesThreshold,
            LagSecondsThreshold = double.TryParse(Get("lagSecondsThreshold"), CultureInfo.InvariantCulture, out var ls) ? ls : defaults.LagSecondsThreshold,
            WebhookUrl = Get("webhookUrl") is { } w ? (w.Length == 0 ? null : w) : defaults.WebhookUrl,
        };
    }
}
