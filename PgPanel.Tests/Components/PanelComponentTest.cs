using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MudBlazor.Services;
using PgPanel.Core.Extensions;
using PgPanel.Core.Persistence;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.Components;

/// <summary>
/// bUnit with MudBlazor and the panel's real core services (SQLite in a temporary directory): components are tested
/// against the same stores and event hubs they use in the panel.
/// </summary>
public abstract class PanelComponentTest : IAsyncLifetime
{
    private readonly TestDirectory _directory = new("bunit");
    private ServiceProvider _core = null!;

    /// <summary>
    /// bUnit's "wait for" operations give up after BunitContext.DefaultWaitTimeout (static, 1 s unless set). Component
    /// tests run in parallel with each other and the unit tests on a 2-core machine, often beside integration tests: a
    /// render that takes over a second there is load, not a fault. Set once, to one value, for every component test.
    /// </summary>
    static PanelComponentTest() => BunitContext.DefaultWaitTimeout = TimeSpan.FromSeconds(10);

    protected BunitContext Context { get; } = new();

    /// <summary>Who the component sees: an Admin (with the Operator and Admin policies) unless a test changes it.</summary>
    protected Bunit.TestDoubles.BunitAuthorizationContext Auth { get; private set; } = null!;

    protected T Core<T>() where T : notnull => _core.GetRequiredService<T>();

    public async Task InitializeAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PgPanel:DataDirectory"] = _directory.Path,
            ["PgPanel:Monitoring:Enabled"] = "false",
        });
        builder.AddPgPanelCore();
        _core = builder.Services.BuildServiceProvider();
        await using (var db = await _core.GetRequiredService<IDbContextFactory<PanelDbContext>>().CreateDbContextAsync())
        {
            await db.Database.MigrateAsync();
        }

        foreach (var service in builder.Services.Where(d => d.Lifetime == ServiceLifetime.Singleton && !d.ServiceType.IsGenericTypeDefinition
                     && d.ServiceType.Namespace?.StartsWith("PgPanel", StringComparison.Ordinal) == true))
        {
            Context.Services.AddSingleton(service.ServiceType, _core.GetRequiredService(service.ServiceType));
        }

        Context.Services.AddSingleton(TimeProvider.System);
        Context.Services.AddHttpContextAccessor();
        Context.Services.AddScoped<PgPanel.Web.Extensions.ClientAddress>();
        Context.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        Context.JSInterop.Mode = JSRuntimeMode.Loose;
        Auth = Context.AddAuthorization();
        Auth.SetAuthorized("admin").SetRoles(PgPanel.Core.Accounts.PanelRoles.Admin);
        Auth.SetPolicies(PgPanel.Core.Accounts.PanelRoles.CanOperate, PgPanel.Core.Accounts.PanelRoles.CanAdminister);
    }

    public async Task DisposeAsync()
    {
        await Context.DisposeAsync();
        await _core.DisposeAsync();
        _directory.Dispose();
    }
}
