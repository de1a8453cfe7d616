using PgPanel.Core.Runs;
using PgPanel.Core.Specs;

namespace PgPanel.Web.Api;

public static class JobEndpoints
{
    /// <summary>Who did it, for the audit: user name and the address the request came from.</summary>
    internal static string Who(HttpContext context) =>
        $"{context.User.Identity?.Name ?? "unknown"} from {context.Connection.RemoteIpAddress?.ToString() ?? "in-process"}";

    public static RouteGroupBuilder MapJobEndpoints(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapPost("/jobs", async (HttpRequest request, string? confirm, JobService service, CancellationToken cancellationToken) =>
            {
                var (spec, problem) = await SpecReader.ReadAsync(request, cancellationToken);
                if (problem is not null)
                {
                    return problem;
                }

                var job = await service.StartAsync(spec!, Who(request.HttpContext), confirm, cancellationToken);
                return Results.Accepted($"/api/jobs/{job.Id}", new { id = job.Id, status = job.Status });
            })
            .RequireAuthorization(Core.Accounts.PanelRoles.CanOperate)
            .WithName("StartJob")
            .WithSummary("Provision a cluster spec. A ticket: while a job of the same cluster is queued or running, that job is returned. " +
                         "For an existing cluster whose spec needs a confirmation (a slot dropped, a node restarted): 409 with changes and confirmToken; then ?confirm=<confirmToken>.")
            .Accepts<ClusterSpec>("application/json")
            .Produces(StatusCodes.Status202Accepted)
            .ProducesValidationProblem();

        api.MapGet("/jobs", async (JobService service, int? skip, int? take, string? cluster, CancellationToken cancellationToken) =>
            {
                var jobs = await service.ListAsync(Math.Max(0, skip ?? 0), Math.Clamp(take ?? 50, 1, 500), cluster, cancellationToken);
                return Results.Ok(jobs.Select(j => JobResponse.From(j, withSteps: false)));
            })
            .WithName("ListJobs")
            .WithSummary("Jobs, newest first.");

        api.MapGet("/jobs/{id:guid}", async (Guid id, JobService service, CancellationToken cancellationToken) =>
                await service.GetAsync(id, cancellationToken) is { } job ? Results.Ok(JobResponse.From(job, withSteps: true)) : Problems.NotFound($"Job {id}"))
            .WithName("GetJob")
            .WithSummary("A job with its steps: status, commands (secrets redacted), output, exit code, start and end.")
            .Produces<JobResponse>();

        api.MapGet("/jobs/{id:guid}/export", async (Guid id, string? format, JobService service, CancellationToken cancellationToken) =>
            {
                if (await service.GetAsync(id, cancellationToken) is not { } job)
                {
                    return Problems.NotFound($"Job {id}");
                }

                return format == "text"
                    ? Results.File(System.Text.Encoding.UTF8.GetBytes(JobExport.Text(job)), "text/plain; charset=utf-8", $"pgpanel-run-{id}.txt")
                    : Results.File(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(JobResponse.From(job, withSteps: true), Core.PanelJson.Options),
                        "application/json", $"pgpanel-run-{id}.json");
            })
            .WithName("ExportJob")
            .WithSummary("A run with its steps as a file: ?format=json (default) or text.");

        api.MapPost("/jobs/{id:guid}/resume", async (Guid id, JobService service, HttpContext context, CancellationToken cancellationToken) =>
            {
                return await service.ResumeAsync(id, Who(context), cancellationToken) is { } job
                    ? Results.Accepted($"/api/jobs/{id}", JobResponse.From(job, withSteps: false)) : Problems.NotFound($"Job {id}");
            })
            .RequireAuthorization(Core.Accounts.PanelRoles.CanOperate)
            .WithName("ResumeJob")
            .WithSummary("Resume a failed, cancelled or interrupted job from its first unfinished step (re-checked, never blindly re-applied).");

        api.MapPost("/jobs/{id:guid}/cancel", async (Guid id, JobService service, HttpContext context, CancellationToken cancellationToken) =>
                await service.CancelAsync(id, Who(context), cancellationToken) is { } job ? Results.Accepted($"/api/jobs/{id}", JobResponse.From(job, withSteps: false)) : Problems.NotFound($"Job {id}"))
            .RequireAuthorization(Core.Accounts.PanelRoles.CanOperate)
            .WithName("CancelJob")
            .WithSummary("Cancel a queued job, or stop the running command of a running one.");

        api.MapGet("/jobs/{id:guid}/cloud-resources", async (Guid id, JobService service, CancellationToken cancellationToken) =>
                await service.GetAsync(id, cancellationToken) is null
                    ? Problems.NotFound($"Job {id}")
                    : Results.Ok(await service.ListCloudResourcesAsync(id, cancellationToken)))
            .WithName("ListCloudResources")
            .WithSummary("The cloud resources a run created (instances, EIPs, their associations, the 5432 rule), with when each was released.");

        api.MapPost("/jobs/{id:guid}/release-cloud-resources", async (Guid id, JobService service, HttpContext context, CancellationToken cancellationToken) =>
            {
                return await service.ReleaseCloudResourcesAsync(id, Who(context), cancellationToken) is { } job
                    ? Results.Ok(JobResponse.From(job, withSteps: true)) : Problems.NotFound($"Job {id}");
            })
            .RequireAuthorization(Core.Accounts.PanelRoles.CanOperate)
            .WithName("ReleaseCloudResources")
            .WithSummary("For a failed, cancelled or interrupted run: delete exactly the cloud resources it created (EIP associations, EIPs, the 5432 rule, instances), recorded as a step of the run.");
        return api;
    }
}
