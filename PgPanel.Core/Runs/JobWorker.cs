using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PgPanel.Core.Clusters;
using PgPanel.Core.Hosts;
using PgPanel.Core.Planning;
using PgPanel.Core.Records;
using PgPanel.Core.Specs;

namespace PgPanel.Core.Runs;

/// <summary>
/// Runs queued jobs, several clusters' at once (<see cref="JobOptions.MaxConcurrentJobs"/>). A job's first step
/// connects to every host (pinning SSH host keys on first use) and, on a job's first attempt, probes them and plans; a
/// resume keeps the plan the job started with. Then the <see cref="Runner"/> takes the steps. At start-up it marks jobs
/// a stopped panel left running as interrupted.
/// </summary>
public sealed partial class JobWorker(
    JobQueue queue, JobStore jobs, ClusterStore clusters, IHostShellFactory shells, Runner runner, CloudStepRunner cloud, StepEngine engine,
    JobEvents events, JobCancellation cancellation, IOptions<PanelOptions> options, IOptions<JobOptions> jobOptions, TimeProvider time,
    ILogger<JobWorker> logger) : BackgroundService
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
        // Jobs of different clusters run side by side, up to the limit; one cluster never has two (the store's index).
        using var slots = new SemaphoreSlim(Math.Max(1, jobOptions.Value.MaxConcurrentJobs));
        var running = new System.Collections.Concurrent.ConcurrentDictionary<Task, bool>();
        try
        {
            await foreach (var jobId in queue.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                await slots.WaitAsync(stoppingToken).ConfigureAwait(false);
                var job = Task.Run(async () =>
                {
                    try
                    {
                        await RunGuardedAsync(jobId, stoppingToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        slots.Release();
                    }
                }, CancellationToken.None);
                running[job] = true;
                _ = job.ContinueWith(done => running.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the running jobs see the same token and end as interrupted.
        }

        await Task.WhenAll(running.Keys).ConfigureAwait(false);
    }

    private async Task RunGuardedAsync(Guid jobId, CancellationToken stoppingToken)
    {
        // A job queued twice (two resumes at once) runs once: the second copy finds it taken here, or not queued any more.
        if (!_inProcess.TryAdd(jobId, true))
        {
            return;
        }

        try
        {
            await RunJobAsync(jobId, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // The last line of defence: whatever escaped a job (its record could not even be read or marked) is
            // that job's failure. The worker, the other jobs, the monitor and the panel go on.
            Log.WorkerCaught(logger, jobId, ex.GetType().Name, ex.Message);
            try
            {
                await FailWhenStoreAllowsAsync(jobId, ExceptionText.Of(ex), stoppingToken).ConfigureAwait(false);
            }
            catch (Exception failure) when (failure is not OperationCanceledException)
            {
                // Even recording the failure failed: never let it go unseen in a task nobody awaits until shutdown.
                Log.WorkerCaught(logger, jobId, failure.GetType().Name, failure.Message);
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
        finally
        {
            _inProcess.TryRemove(jobId, out _);
        }
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, bool> _inProcess = new();

    private async Task RunJobAsync(Guid jobId, CancellationToken stoppingToken)
    {
        var job = await jobs.GetAsync(jobId, stoppingToken).ConfigureAwait(false);
        if (job is null || job.Status != JobStatus.Queued)
        {
            return;
        }

        // Registered before the claim: a cancel that comes in between reaches the job.
        using var cts = cancellation.Register(jobId, stoppingToken);
        if (!await jobs.TryClaimAsync(jobId, stoppingToken).ConfigureAwait(false))
        {
            cancellation.Unregister(jobId);
            return;
        }

        // A job runs with its own secrets (a job from before they were kept per job: the cluster's).
        var secrets = job.SealedSecretsJson is "{}" or ""
            ? await clusters.GetSecretsAsync(job.ClusterName, stoppingToken).ConfigureAwait(false)
            : clusters.Unseal(job.SealedSecretsJson);
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
                var sources = PanelJson.Deserialize<Dictionary<string, string>>(string.IsNullOrEmpty(job.SecretSourcesJson) ? "{}" : job.SecretSourcesJson);
                var dropSlots = PanelJson.Deserialize<List<string>>(string.IsNullOrEmpty(job.DropSlotsJson) ? "[]" : job.DropSlotsJson);
                // A connect step run again starts its output afresh: the job's error quotes it.
                connect.Output = "";
                var connectSpec = spec;
                var action = new ConnectAndPlanAction(spec, ct => ConnectAsync(connectSpec, ct),
                    options.Value.FullDataDirectory, JobService.PlanOptionsOf(jobOptions.Value), dropSlots,
                    (p, s, ct) => jobs.SavePlanAsync(jobId, PanelJson.Serialize(p), s, ct), sources);
                var outcome = await engine.RunAsync(jobId, connect, action, redactor, cts.Token).ConfigureAwait(false);
                if (outcome.Status == StepStatus.Failed || action.Hosts is null)
                {
                    await SetStatusAsync(jobId, JobStatus.Failed, $"Pre-flight: {connect.Output.TrimEnd()}").ConfigureAwait(false);
                    return;
                }

                (hosts, plan, steps) = (action.Hosts, action.Plan!, action.Steps!);
            }

            var result = await runner.RunAsync(new RunContext(jobId, plan, hosts.ByNode, secrets), steps, cts.Token).ConfigureAwait(false);
            var failed = steps.FirstOrDefault(s => s.Status == StepStatus.Failed);
            await SetStatusAsync(jobId, result, failed is null ? null : $"Step '{failed.Title}' failed.").ConfigureAwait(false);
            if (result == JobStatus.Succeeded)
            {
                await clusters.MarkReadyAsync(job.ClusterName, jobId, job.SealedSecretsJson is "{}" or "" ? clusters.Seal(secrets) : job.SealedSecretsJson,
                    CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            var status = stoppingToken.IsCancellationRequested ? JobStatus.Interrupted : JobStatus.Cancelled;
            await SetStatusAsync(jobId, status, status == JobStatus.Cancelled ? "Cancelled by a user." : "The panel stopped during the job.").ConfigureAwait(false);
        }
        catch (StoreUnavailableException ex)
        {
            await FailWhenStoreAllowsAsync(jobId, ex.Message, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cts.IsCancellationRequested)
        {
            var reason = redactor.Redact(ExceptionText.Of(ex));
            Log.JobFailed(logger, jobId, reason);
            await FailWhenStoreAllowsAsync(jobId, reason, stoppingToken).ConfigureAwait(false);
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

    /// <summary>
    /// A new cluster whose runs all failed (or were cancelled) before changing anything is not registered: it would
    /// point the monitor at servers PgPanel never set up. Its runs stay in the history; resuming one registers it again.
    /// </summary>
    private async Task UnregisterIfUntouchedAsync(Guid jobId, JobStatus status)
    {
        if (status is not (JobStatus.Failed or JobStatus.Cancelled))
        {
            return;
        }

        try
        {
            var clusterName = (await jobs.GetAsync(jobId, CancellationToken.None).ConfigureAwait(false))?.ClusterName;
            if (clusterName is null)
            {
                return;
            }

            var record = await clusters.GetAsync(clusterName, CancellationToken.None).ConfigureAwait(false);
            if (record is null || record.LastSucceededJobId is not null || record.State == ClusterState.Ready ||
                await jobs.AnyRunTouchedAsync(clusterName, CancellationToken.None).ConfigureAwait(false))
            {
                return;
            }

            await clusters.ForgetAsync(clusterName, CancellationToken.None).ConfigureAwait(false);
            await jobs.AppendAuditAsync(jobId, $"cluster {clusterName} not registered: no run of it changed anything", CancellationToken.None).ConfigureAwait(false);
        }
        catch (StoreUnavailableException)
        {
            // The cluster stays registered; forgetting it is a click away.
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

    /// <summary>
    /// Marks a job failed, retrying while the store cannot be written (locked, read-only, full): the job's failure is
    /// recorded as soon as the store allows, its running step failed with the reason, and the worker goes on.
    /// </summary>
    private async Task FailWhenStoreAllowsAsync(Guid jobId, string reason, CancellationToken stoppingToken)
    {
        for (var attempt = 0; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await jobs.FailRunningStepsAsync(jobId, reason, CancellationToken.None).ConfigureAwait(false);
                await SetStatusAsync(jobId, JobStatus.Failed, reason).ConfigureAwait(false);
                return;
            }
            catch (StoreUnavailableException)
            {
                if (attempt == 0)
                {
                    Log.WaitingForStore(logger, jobId);
                }

                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(2), time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task SetStatusAsync(Guid jobId, JobStatus status, string? error)
    {
        // Before the status is visible: whoever sees the run failed no longer sees the cluster it never touched.
        await UnregisterIfUntouchedAsync(jobId, status).ConfigureAwait(false);
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

        [LoggerMessage(EventId = 1104, Level = LogLevel.Error, Message = "Job {JobId}: the worker caught a {ExceptionType}: {Reason}")]
        public static partial void WorkerCaught(ILogger logger, Guid jobId, string exceptionType, string reason);

        [LoggerMessage(EventId = 1105, Level = LogLevel.Warning, Message = "Job {JobId}: waiting for the store to record its failure")]
        public static partial void WaitingForStore(ILogger logger, Guid jobId);
    }
}
