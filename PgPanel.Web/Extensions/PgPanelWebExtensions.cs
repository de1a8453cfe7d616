using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using MudBlazor.Services;
using Microsoft.AspNetCore.Http.Json;
using PgPanel.Core;
using PgPanel.Core.Accounts;
using PgPanel.Web.Api;
using Prometheus;

namespace PgPanel.Web.Extensions;

public static class PgPanelWebExtensions
{
    /// <summary>The web face: JSON shape, problem details, bearer-token auth and the OpenAPI document.</summary>
    public static IHostApplicationBuilder AddPgPanelWeb(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.Configure<JsonOptions>(o => PanelJson.Configure(o.SerializerOptions));
        services.AddProblemDetails();
        services.AddExceptionHandler<Api.ApiExceptionHandler>();
        services.AddSingleton<ApiTokenProvider>();
        // One policy scheme: a request with "Authorization: Bearer" is an API client, anything else a browser with a cookie.
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = "PgPanel";
                o.DefaultChallengeScheme = "PgPanel";
            })
            .AddPolicyScheme("PgPanel", "Bearer token or cookie", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? ApiTokenAuthenticationHandler.SchemeName
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null)
            .AddCookie(o =>
            {
                o.LoginPath = "/login";
                o.AccessDeniedPath = "/forbidden";
                o.Cookie.Name = "pgpanel";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.SlidingExpiration = true;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.Events.OnRedirectToLogin = context =>
                {
                    // Machines get a status code, people a login page.
                    if (IsMachinePath(context.Request.Path))
                    {
                        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                        return Task.CompletedTask;
                    }

                    context.Response.Redirect(context.RedirectUri);
                    return Task.CompletedTask;
                };
                o.Events.OnRedirectToAccessDenied = context =>
                {
                    // A signed-in user without the role: 403 for machines, a page that says why for people.
                    if (IsMachinePath(context.Request.Path))
                    {
                        context.Response.StatusCode = StatusCodes.Status403Forbidden;
                        return Task.CompletedTask;
                    }

                    context.Response.Redirect(context.RedirectUri);
                    return Task.CompletedTask;
                };
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(PanelRoles.CanOperate, p => p.RequireRole(PanelRoles.Admin, PanelRoles.Operator))
            .AddPolicy(PanelRoles.CanAdminister, p => p.RequireRole(PanelRoles.Admin));
        services.AddCascadingAuthenticationState();
        services.AddOpenApi();
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddAntiforgery(o => o.SuppressXFrameOptionsHeader = true);
        services.AddHttpContextAccessor();
        services.AddScoped<ClientAddress>();
        services.AddMudServices();
        services.AddHostedService<ReplicationMetrics>();
        return builder;
    }

    public static WebApplication UsePgPanelWeb(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        if (app.Configuration.GetValue<bool>("PgPanel:Https:Redirect"))
        {
            app.UseHsts();
            app.UseHttpsRedirection();
        }

        app.UseMiddleware<SecurityHeaders>();
        app.UseMiddleware<RequestSizeLimit>();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        _ = app.Services.GetRequiredService<ApiTokenProvider>();
        return app;
    }

    private static bool IsMachinePath(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/metrics") || path.StartsWithSegments("/openapi");

    public static WebApplication MapPgPanelApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Liveness and the store: 200 while the store takes writes (Degraded: it failed lately but works now), 503 with
        // the reason while it does not. The panel keeps running either way.
        app.MapHealthChecks("/healthz", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions
        {
            ResponseWriter = (context, report) => context.Response.WriteAsJsonAsync(new
            {
                status = report.Status.ToString().ToLowerInvariant(),
                checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString().ToLowerInvariant(), e.Value.Description }),
            }),
        }).AllowAnonymous();
        app.MapStaticAssets();
        app.MapAccountEndpoints();
        app.MapRazorComponents<Components.App>()
            .AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null) // SecurityHeaders sends the whole policy
            .RequireAuthorization();
        app.MapOpenApi().RequireAuthorization();
        var api = app.MapGroup("/api").RequireAuthorization();
        api.MapPlanEndpoints();
        api.MapCloudEndpoints();
        api.MapJobEndpoints();
        api.MapHostEndpoints();
        api.MapClusterEndpoints();
        api.MapSettingsEndpoints();
        api.MapAccountApiEndpoints();

        // Prometheus: lag and health per standby. Behind the API token unless PgPanel:Metrics:AllowAnonymous is true.
        var metrics = app.MapMetrics("/metrics");
        if (!app.Configuration.GetValue<bool>("PgPanel:Metrics:AllowAnonymous"))
        {
            metrics.RequireAuthorization();
        }
        return app;
    }
}
