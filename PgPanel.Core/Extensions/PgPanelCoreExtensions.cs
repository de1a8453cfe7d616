using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Logging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PgPanel.Core.Clusters;
using PgPanel.Core.Hosts;
using PgPanel.Core.Monitoring;
using PgPanel.Core.Persistence;
using PgPanel.Core.Records;
using PgPanel.Core.Runs;
using PgPanel.Core.Security;

namespace PgPanel.Core.Extensions;

public static class PgPanelCoreExtensions
{
    /// <summary>The engine: options, SQLite job history, secrets at rest, hosts, runner and the job worker.</summary>
    public static IHostApplicationBuilder AddPgPanelCore(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<PanelOptions>().BindConfiguration(PanelOptions.Section);

        // Paths come from options when the container is built, so hosts and tests can set them late.
        services.AddDbContextFactory<PanelDbContext>((sp, db) =>
            db.UseSqlite($"Data Source={Path.Combine(sp.GetRequiredService<IOptions<PanelOptions>>().Value.EnsureDataDirectory(), "pgpanel.db")}")
                .AddInterceptors(new SqliteBusyTimeout()));
        services.AddDataProtection().SetApplicationName("PgPanel");
        services.AddOptions<KeyManagementOptions>().Configure<IOptions<PanelOptions>, ILoggerFactory>((keys, panel, logs) =>
            keys.XmlRepository = new FileSystemXmlRepository(
                new DirectoryInfo(Path.Combine(panel.Value.EnsureDataDirectory(), "keys")), logs));

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<SecretProtector>();
        services.AddSingleton<IHostShellFactory, HostShellFactory>();
        services.AddSingleton<HostService>();
        services.AddOptions<JobOptions>().BindConfiguration(JobOptions.Section)
            .Validate(o => o.StepIdleTimeoutSeconds >= 5 && o.SshHeartbeatSeconds >= 1 && o.FailedCloneKeepHours >= 0 && o.FailedCloneKeepCount >= 0,
                "PgPanel:Jobs: StepIdleTimeoutSeconds ≥ 5, SshHeartbeatSeconds ≥ 1, FailedCloneKeepHours and FailedCloneKeepCount ≥ 0.")
            .ValidateOnStart();
        services.AddSingleton<StoreHealth>();
        services.AddHealthChecks().AddCheck<StoreHealthCheck>("store");
        services.AddSingleton<JobStore>();
        services.AddSingleton<ClusterStore>();
        services.AddSingleton<JobEvents>();
        services.AddSingleton<JobQueue>();
        services.AddSingleton<JobCancellation>();
        services.AddSingleton<StepEngine>();
        services.AddSingleton<Runner>();
        services.AddOptions<Cloud.Alibaba.AlibabaOptions>().BindConfiguration(Cloud.Alibaba.AlibabaOptions.Section);
        services.AddHttpClient(Cloud.Alibaba.AlibabaClient.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                ConnectTimeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<Cloud.Alibaba.AlibabaOptions>>().Value.ConnectTimeoutSeconds),
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            })
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<Cloud.Alibaba.AlibabaClient>();
        services.AddSingleton<Cloud.Alibaba.AlibabaCredentialResolver>(_ => new Cloud.Alibaba.AlibabaCredentialResolver());
        services.AddSingleton<Cloud.Alibaba.EcsProvisioner>();
        services.AddSingleton<Cloud.Alibaba.AlibabaCatalog>();
        services.AddSingleton<CloudStepRunner>();
        services.AddSingleton<JobService>();
        services.AddHostedService<DatabaseMigrator>();
        services.AddHostedService<Settings.SavedSettingsLoader>();
        services.AddIdentityCore<PanelUser>(o =>
            {
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.Lockout.AllowedForNewUsers = true;
                o.Password.RequiredLength = 12;
                o.Password.RequireNonAlphanumeric = false;
                o.User.AllowedUserNameCharacters = "abcdefghijklmnopqrstuvwxyz0123456789-._@";
            })
            .AddRoles<Microsoft.AspNetCore.Identity.IdentityRole>()
            .AddEntityFrameworkStores<PanelDbContext>()
            .AddSignInManager();
        services.AddSingleton<Accounts.AccountService>();
        services.AddHostedService<Accounts.AccountBootstrapper>();
        services.AddHostedService<JobWorker>();

        services.AddOptions<MonitorOptions>().BindConfiguration(MonitorOptions.Section);
        services.AddHttpClient(AlertNotifier.ClientName, client => client.Timeout = TimeSpan.FromSeconds(5));
        services.AddSingleton<Settings.SettingsStore>();
        services.AddSingleton<MonitorTargetSource>();
        services.AddSingleton<NodeSources>();
        services.AddSingleton<SampleStore>();
        services.AddSingleton<HistoryStore>();
        services.AddSingleton<AlertRules>();
        services.AddSingleton<AlertNotifier>();
        services.AddSingleton<MonitorEvents>();
        services.AddSingleton<ReplicationMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<ReplicationMonitor>());
        return builder;
    }
}
