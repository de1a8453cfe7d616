using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PgPanel.Core.Clusters;
using PgPanel.Core.Hosts;
using PgPanel.Core.Planning;
using PgPanel.Core.Specs;

namespace PgPanel.Core.Runs;

/// <summary>
/// Runs queued jobs one at a time. Its first step connects to every host (pinning SSH host keys on first use) and,
/// on a job's first attempt, probes them and plans; a resume keeps the plan the job started with. Then the
/// <see cref="Runner"/> takes the steps. At start-up it marks jobs a stopped panel left running as interrupted.
/// </summary>
public sealed partial class JobWorker(
    JobQueue queue, JobStore jobs, ClusterStore clusters, IHostShellFactory shells, Runner runner, CloudStepRunner cloud,
    JobEvents events, JobCancellation cancellation, IOptions<PanelOptions> options, TimeProvider time, ILogger<JobWorker> logger) : BackgroundService
{
    /// <summary>The id of the job step that connects to the hosts and plans.</summary>
    public const string ConnectStepId = "connect";

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
        var secrets = await clusters.GetSecretsAsync(job.ClusterName, stoppingToken).ConfigureAwait(false);
        var redactor = new Security.Redactor(secrets.Values);
        ConnectedHosts? hosts = null;
        var connect = job.Steps.FirstOrDefault(s => s.StepId == ConnectStepId);
        try
        {
            await SetStatusAsync(jobId, JobStatus.Running, null).ConfigureAwait(false);
            var spec = SpecSecrets.Apply(PanelJson.Deserialize<ClusterSpec>(job.SpecJson), secrets);
            var cloudSteps = job.Steps.Where(s => s.Kind == StepKind.Cloud && s.StepId != Cloud.Alibaba.CloudStepIds.Release).ToList();
            if (connect is null)
            {
                cloudSteps = CloudStepRunner.CreateSteps(spec);
                connect = new JobStep { Index = cloudSteps.Count, StepId = ConnectStepId, Title = "Connect to every host and plan", Node = "all", Kind = StepKind.Preflight };
                await jobs.SavePlanAsync(jobId, null, [.. cloudSteps, connect], stoppingToken).ConfigureAwait(false);
            }

            if (spec.Cloud is not null)
            {
                var resolved = await cloud.RunAsync(jobId, job.ClusterName, spec, cloudSteps, redactor, cts.Token).ConfigureAwait(false);
                if (resolved is null)
                {
                    var failedCloud = cloudSteps.First(s => s.Status == StepStatus.Failed);
                    await SetStatusAsync(jobId, JobStatus.Failed, $"Step '{failedCloud.Title}' failed.").ConfigureAwait(false);
                    return;
                }

                spec = resolved;
                await clusters.UpdateSpecAsync(job.ClusterName, PanelJson.Serialize(spec), CancellationToken.None).ConfigureAwait(false);
            }

            List<JobStep> steps;
            Plan plan;
            if (connect.Status is StepStatus.Unchanged && job.PlanJson is not null)
            {
                hosts = await ConnectAsync(spec, cts.Token).ConfigureAwait(false);
                plan = PanelJson.Deserialize<Plan>(job.PlanJson);
                steps = job.Steps.Where(s => s.StepId != ConnectStepId && s.Kind != StepKind.Cloud).OrderBy(s => s.Index).ToList();
            }
            else
            {
                (hosts, plan, steps) = await ConnectAndPlanAsync(jobId, spec, connect, redactor, cts.Token).ConfigureAwait(false);
                if (hosts is null)
                {
                    await SetStatusAsync(jobId, JobStatus.Failed, $"Pre-flight: {connect.Output.TrimEnd()}").ConfigureAwait(false);
                    return;
                }
            }

            var result = await runner.RunAsync(new RunContext(jobId, plan, hosts.ByNode, secrets), steps, cts.Token).ConfigureAwait(false);
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
        catch (Exception ex) when (ex is HostProbeException or InvalidOperationException or IOException or System.Text.Json.JsonException or ArgumentException)
        {
            var reason = redactor.Redact(ex.Message);
            Log.JobFailed(logger, jobId, reason);
            await SetStatusAsync(jobId, JobStatus.Failed, reason).ConfigureAwait(false);
        }
        finally
        {
            cancellation.Unregister(jobId);
            if (hosts is not null)
            {
                await hosts.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>The connect step: reach every host, pin new host keys, probe, plan. Null hosts: it failed (recorded).</summary>
    private async Task<(ConnectedHosts? Hosts, Plan Plan, List<JobStep> Steps)> ConnectAndPlanAsync(
        Guid jobId, ClusterSpec spec, JobStep connect, Security.Redactor redactor, CancellationToken cancellationToken)
    {
        connect.Status = StepStatus.Running;
        connect.StartedAt = time.GetUtcNow();
        connect.Output = "";
        await jobs.SaveStepAsync(connect, CancellationToken.None).ConfigureAwait(false);
        events.Publish(jobId, JobEventKind.StepStarted, connect.Index, StepStatus.Running);
        ConnectedHosts? hosts = null;
        try
        {
            hosts = await ConnectAsync(spec, cancellationToken).ConfigureAwait(false);
            var localRoot = options.Value.FullDataDirectory;
            var facts = await FactsCollector.CollectAsync(spec, hosts.ByNode, localRoot, cancellationToken).ConfigureAwait(false);
            var plan = Planner.Create(new PlanRequest(spec, facts, localRoot));
            var steps = plan.Steps.Select((s, i) => new JobStep
            {
                Index = connect.Index + i + 1,
                StepId = s.Id,
                Title = s.Title,
                Node = s.Node,
                Kind = s.Kind,
                Status = StepStatus.Pending,
                Commands = redactor.Redact(ScriptExport.RenderStep(plan, s)),
            }).ToList();
            await jobs.SavePlanAsync(jobId, PanelJson.Serialize(plan), steps, CancellationToken.None).ConfigureAwait(false);

            var summary = new StringBuilder();
            foreach (var id in Planner.NodeIds(spec))
            {
                var f = facts[id];
                var node = Planner.NodeSpecOf(spec, id);
                hosts.Fingerprints.TryGetValue(HostShellFactory.EndpointOf(node), out var fingerprint);
                summary.Append($"{id}: {hosts.ByNode[id].Description} — {f.PrettyName ?? f.Os.ToString()}, PostgreSQL installed: " +
                    $"{(f.PostgresBinDirectories.Count == 0 ? "none" : string.Join(", ", f.PostgresBinDirectories.Keys.Order()))}, " +
                    $"{(f.CanBecomeRoot ? "root available" : "no root")}, {(f.HasSystemd ? "systemd" : "no systemd")}" +
                    (fingerprint is null ? "" : $", host key {fingerprint}") + "\n");
            }

            summary.Append($"Planned {plan.Steps.Count} steps.");
            Finish(connect, StepStatus.Unchanged, 0, summary.ToString());
            return (hosts, plan, steps);
        }
        catch (Exception ex) when (ex is HostProbeException or InvalidOperationException or IOException)
        {
            if (hosts is not null)
            {
                await hosts.DisposeAsync().ConfigureAwait(false);
            }

            Finish(connect, StepStatus.Failed, null, redactor.Redact(ex.Message));
            return (null, null!, null!);
        }
        finally
        {
            await jobs.SaveStepAsync(connect, CancellationToken.None).ConfigureAwait(false);
            events.Publish(jobId, JobEventKind.StepFinished, connect.Index, connect.Status);
        }
    }

    private async Task<ConnectedHosts> ConnectAsync(ClusterSpec spec, CancellationToken cancellationToken)
    {
        var pins = await clusters.GetHostKeysAsync(spec.Name, cancellationToken).ConfigureAwait(false);
        var hosts = await ConnectedHosts.ConnectAsync(shells, spec, pins, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (hosts.Fingerprints.Count > 0)
        {
            await clusters.PinHostKeysAsync(spec.Name, hosts.Fingerprints, CancellationToken.None).ConfigureAwait(false);
        }

        return hosts;
    }

    private void Finish(JobStep step, StepStatus status, int? exitCode, string output)
    {
        step.Status = status;
        step.ExitCode = exitCode;
        step.Output = output + "\n";
        step.FinishedAt = time.GetUtcNow();
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
