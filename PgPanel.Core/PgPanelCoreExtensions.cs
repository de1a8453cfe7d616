using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PgPanel.Core.Clusters;
using PgPanel.Core.Hosts;
using PgPanel.Core.Runs;
using PgPanel.Core.Security;

namespace PgPanel.Core;

public static class PgPanelCoreExtensions
{
    /// <summary>The engine: options, SQLite job history, secrets at rest, hosts, runner and the job worker.</summary>
    public static IHostApplicationBuilder AddPgPanelCore(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<PanelOptions>().BindConfiguration(PanelOptions.Section);
        var dataDirectory = Path.GetFullPath(builder.Configuration[$"{PanelOptions.Section}:DataDirectory"] ?? new PanelOptions().DataDirectory);
        Directory.CreateDirectory(dataDirectory);

        services.AddDbContextFactory<PanelDbContext>(db => db.UseSqlite($"Data Source={Path.Combine(dataDirectory, "pgpanel.db")}"));
        services.AddDataProtection()
            .SetApplicationName("PgPanel")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataDirectory, "keys")));

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<SecretProtector>();
        services.AddSingleton<IHostShellFactory, HostShellFactory>();
        services.AddSingleton<FactsCollector>();
        services.AddSingleton<JobStore>();
        services.AddSingleton<ClusterStore>();
        services.AddSingleton<JobEvents>();
        services.AddSingleton<JobQueue>();
        services.AddSingleton<JobCancellation>();
        services.AddSingleton<Runner>();
        services.AddSingleton<JobService>();
        services.AddHostedService<DatabaseMigrator>();
        services.AddHostedService<JobWorker>();
        return builder;
    }
}
