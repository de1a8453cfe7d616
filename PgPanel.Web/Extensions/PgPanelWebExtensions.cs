using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Json;
using PgPanel.Core;
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
        services.AddSingleton<ApiTokenProvider>();
        services.AddAuthentication(ApiTokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();
        services.AddOpenApi();
        services.AddHostedService<ReplicationMetrics>();
        return builder;
    }

    public static WebApplication UsePgPanelWeb(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        _ = app.Services.GetRequiredService<ApiTokenProvider>();
        return app;
    }

    public static WebApplication MapPgPanelApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/healthz", () => Results.Text("ok")).AllowAnonymous().ExcludeFromDescription();
        app.MapOpenApi().RequireAuthorization();
        var api = app.MapGroup("/api").RequireAuthorization();
        api.MapPlanEndpoints();
        api.MapJobEndpoints();
        api.MapHostEndpoints();
        api.MapClusterEndpoints();

        // Prometheus: lag and health per standby. Behind the API token unless PgPanel:Metrics:AllowAnonymous is true.
        var metrics = app.MapMetrics("/metrics");
        if (!app.Configuration.GetValue<bool>("PgPanel:Metrics:AllowAnonymous"))
        {
            metrics.RequireAuthorization();
        }
        return app;
    }
}
