using PgPanel.Core.Hosts;
using PgPanel.Core.Runs;

namespace PgPanel.Web.Api;

public static class PlanEndpoints
{
    public static RouteGroupBuilder MapPlanEndpoints(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapPost("/plans", async (HttpRequest request, JobService service, CancellationToken cancellationToken) =>
            {
                var (spec, problem) = await SpecReader.ReadAsync(request, cancellationToken);
                if (problem is not null)
                {
                    return problem;
                }

                var plan = await service.PlanAsync(spec!, cancellationToken);
                return Results.Ok(PlanResponse.From(plan, spec));
            })
            .RequireAuthorization(Core.Accounts.PanelRoles.CanOperate)
            .WithName("CreatePlan")
            .WithSummary("Plan a cluster spec: every step, command and file, and the whole plan as one bash script. Changes nothing.")
            .Accepts<Core.Specs.ClusterSpec>("application/json")
            .Produces<PlanResponse>()
            .ProducesValidationProblem();

        api.MapPost("/plans/review", async (HttpRequest request, JobService service, CancellationToken cancellationToken) =>
            {
                var (spec, problem) = await SpecReader.ReadAsync(request, cancellationToken);
                if (problem is not null)
                {
                    return problem;
                }

                var (plan, preflight) = await service.ReviewAsync(spec!, cancellationToken);
                return Results.Ok(PlanResponse.From(plan, spec, preflight));
            })
            .RequireAuthorization(Core.Accounts.PanelRoles.CanOperate)
            .WithName("ReviewPlan")
            .WithSummary("The wizard's Review: the plan and its pre-flight checks run now on the hosts (for a cloud spec: AccessKey, lookups and DryRun). Changes nothing.")
            .Accepts<Core.Specs.ClusterSpec>("application/json")
            .Produces<PlanResponse>()
            .ProducesValidationProblem();
        return api;
    }
}
