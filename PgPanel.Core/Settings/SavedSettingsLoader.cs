using Microsoft.Extensions.Hosting;

namespace PgPanel.Core.Settings;

/// <summary>Reads the settings saved in the panel at start-up, once the database is migrated (registered after it).</summary>
internal sealed class SavedSettingsLoader(SettingsStore settings) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => settings.LoadAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
