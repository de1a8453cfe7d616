using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PgPanel.Core.Clusters;
using PgPanel.Core.Hosts;
using PgPanel.Core.Planning;
using PgPanel.Core.Specs;

namespace PgPanel.Core.Runs;

/// <summary>
/// Runs queued jobs one at a time: probes the hosts, plans (first attempt only; a resume keeps the plan it started
/// with), then hands the steps to the <see cref="Runner"/>. At start-up it marks jobs a stopped panel left running as
/// interrupted.
/// </summary>
public sealed partial class JobWorker(
    JobQueue queue, JobStore jobs, ClusterStore clusters, FactsCollector facts, IHostShellFactory shells, Runner runner,
    JobEvents events, JobCancellation cancellation, IOptions<PanelOptions> options, ILogger<JobWorker> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var interrupted = await jobs.MarkInterruptedAsync(cancellationToken).ConfigureAwait(false);
        if (interrupted > 0)
        {
            Log.MarkedInterrupted(logger, interrupted);
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var jobId in queue.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                await RunJobAsync(jobId, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task RunJobAsync(Guid jobId, CancellationToken stoppingToken)
    {
        var job = await jobs.GetAsync(jobId, stoppingToken).ConfigureAwait(false);
        if (job is null || job.Status != JobStatus.Queued)
        {
            return;
        }

        using var cts = cancellation.Register(jobId, stoppingToken);
        var shellsByNode = new Dictionary<string, IHostShell>(StringComparer.Ordinal);
        var secrets = await clusters.GetSecretsAsync(job.ClusterName, stoppingToken).ConfigureAwait(false);
        var redactor = new Security.Redactor(secrets.Values);
        try
        {
            await SetStatusAsync(jobId, JobStatus.Running, null).ConfigureAwait(false);
            var spec = PanelJson.Deserialize<ClusterSpec>(job.SpecJson);
            var localRoot = options.Value.FullDataDirectory;

            Plan plan;
            List<JobStep> steps;
            if (job.PlanJson is null)
            {
                var hostFacts = await facts.CollectAsync(spec, localRoot, cancellationToken: cts.Token).ConfigureAwait(false);
                plan = Planner.Create(new PlanRequest(spec, hostFacts, localRoot));
                steps = plan.Steps.Select((s, i) => new JobStep
                {
                    Index = i,
                    StepId = s.Id,
                    Title = s.Title,
                    Node = s.Node,
                    Kind = s.Kind,
                    Status = StepStatus.Pending,
                    Commands = redactor.Redact(ScriptExport.RenderStep(s)),
                }).ToList();
                await jobs.SavePlanAsync(jobId, PanelJson.Serialize(plan), steps, stoppingToken).ConfigureAwait(false);
            }
            else
            {
                plan = PanelJson.Deserialize<Plan>(job.PlanJson);
                steps = job.Steps;
            }

            foreach (var id in Planner.NodeIds(spec))
            {
                shellsByNode[id] = await shells.ConnectAsync(Planner.NodeSpecOf(spec, id), cts.Token).ConfigureAwait(false);
            }

            var result = await runner.RunAsync(new RunContext(jobId, plan, shellsByNode, secrets), steps, cts.Token).ConfigureAwait(false);
            var failed = steps.FirstOrDefault(s => s.Status == StepStatus.Failed);
            await SetStatusAsync(jobId, result, failed is null ? null : $"Step '{failed.Title}' failed.").ConfigureAwait(false);
            if (result == JobStatus.Succeeded)
            {
                await clusters.MarkReadyAsync(job.ClusterName, jobId, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            var status = stoppingToken.IsCancellationRequested ? JobStatus.Interrupted : JobStatus.Cancelled;
            await SetStatusAsync(jobId, status, status == JobStatus.Cancelled ? "Cancelled by a user." : "The panel stopped during the job.").ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HostProbeException or NotSupportedException or InvalidOperationException or IOException or System.Text.Json.JsonException or ArgumentException)
        {
            Log.JobFailed(logger, jobId, redactor.Redact(ex.Message));
            await SetStatusAsync(jobId, JobStatus.Failed, redactor.Redact(ex.Message)).ConfigureAwait(false);
        }
        finally
        {
            cancellation.Unregister(jobId);
            foreach (var shell in shellsByNode.Values.Distinct())
            {
                await shell.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task SetStatusAsync(Guid jobId, JobStatus status, string? error)
    {
        await jobs.SetStatusAsync(jobId, status, error, CancellationToken.None).ConfigureAwait(false);
        events.Publish(jobId, JobEventKind.JobStatusChanged, jobStatus: status);
        Log.JobStatus(logger, jobId, status);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "{Count} job(s) left running by a stopped panel are now interrupted")]
        public static partial void MarkedInterrupted(ILogger logger, int count);

        [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Job {JobId} is {Status}")]
        public static partial void JobStatus(ILogger logger, Guid jobId, JobStatus status);

        [LoggerMessage(EventId = 1103, Level = LogLevel.Error, Message = "Job {JobId} failed before its steps could run: {Reason}")]
        public static partial void JobFailed(ILogger logger, Guid jobId, string reason);
    }
}
