using PgPanel.Core.Settings;

namespace PgPanel.Web.Api;

public static class SettingsEndpoints
{
    public static RouteGroupBuilder MapSettingsEndpoints(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet("/settings", (SettingsStore settings) => Results.Ok(settings.Current))
            .WithName("GetSettings")
            .WithSummary("The settings in force: wizard defaults, monitor interval, alert thresholds, webhook.");

        api.MapPut("/settings", async (EditableSettings body, SettingsStore settings, HttpContext context, CancellationToken cancellationToken) =>
            {
                var errors = body.Validate();
                if (errors.Count > 0)
                {
                    return Results.ValidationProblem(errors, title: "The settings are not valid.");
                }

                await settings.SaveAsync(body, context.User.Identity?.Name ?? "api", cancellationToken);
                return Results.Ok(settings.Current);
            })
            .RequireAuthorization(Core.Accounts.PanelRoles.CanAdminister)
            .WithName("SaveSettings")
            .WithSummary("Change the settings; the monitor applies a new interval and thresholds from its next sample.")
            .ProducesValidationProblem();
        return api;
    }
}
