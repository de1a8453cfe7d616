using PgPanel.Core.Cloud.Alibaba;
using PgPanel.Core.Planning;
using PgPanel.Core.Security;
using PgPanel.Core.Specs;

namespace PgPanel.Core.Runs;

/// <summary>
/// Runs a job's cloud steps (before "connect") and records them like any step: status, every API call with its
/// RequestId, and each created resource. Every attempt runs them all again: each only looks when its work is done,
/// which also reloads the instances' addresses for a resumed job.
/// </summary>
public sealed class CloudStepRunner(EcsProvisioner provisioner, JobStore jobs, JobEvents events, TimeProvider time)
{
    public static List<JobStep> CreateSteps(ClusterSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Cloud is not { } cloud)
        {
            return [];
        }

        var calls = EcsProvisioner.PlannedCalls(spec);
        return CloudStepIds.For(cloud).Select((s, i) => new JobStep
        {
            Index = i, StepId = s.Id, Title = s.Title, Node = "cloud", Kind = StepKind.Cloud, Status = StepStatus.Pending,
            Commands = string.Join('\n', calls.Where(c => c.StepId == s.Id).Select(c => $"{c.Api} {c.Action} {c.Parameters}")),
        }).ToList();
    }

    /// <summary>The spec with the instances' addresses, or null when a step failed (recorded on the step).</summary>
    public async Task<ClusterSpec?> RunAsync(Guid jobId, string clusterName, ClusterSpec spec, IReadOnlyList<JobStep> steps, Redactor redactor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(redactor);
        EcsRun? run = null;
        foreach (var step in steps.OrderBy(s => s.Index))
        {
            var previous = step.Status;
            var recording = await StepRecording.StartAsync(jobs, events, time, jobId, step, redactor, keepOutput: true).ConfigureAwait(false);
            var (status, exitCode) = (StepStatus.Failed, (int?)null);
            try
            {
                if (run is null)
                {
                    var recorded = await jobs.ListCloudResourcesAsync(jobId, cancellationToken).ConfigureAwait(false);
                    var earlier = await jobs.ListLiveInstancesAsync(clusterName, jobId, cancellationToken).ConfigureAwait(false);
                    run = await provisioner.BeginAsync(jobId, spec, recorded, jobs.AddCloudResourceAsync, cancellationToken, earlier).ConfigureAwait(false);
                }

                run.Trace = recording.Write;
                var outcome = await provisioner.RunStepAsync(run, step.StepId, cancellationToken).ConfigureAwait(false);
                (status, exitCode) = (previous == StepStatus.Changed && outcome == StepStatus.Unchanged ? StepStatus.Changed : outcome, 0);
            }
            catch (Exception ex) when (ex is AlibabaApiException or InvalidOperationException or System.Text.Json.JsonException)
            {
                recording.Write(ex is AlibabaApiException api && api.IsCredentialError
                    ? $"{ex.Message}\nThe AccessKey was refused: check it, and that its RAM policy allows this action (see the README)."
                    : ex.Message);
                exitCode = 1;
            }
            catch (OperationCanceledException)
            {
                recording.Write("Cancelled.");
                throw;
            }
            catch (Exception ex)
            {
                // Unexpected: the step keeps the reason; the job's own policy fails the job.
                recording.Write(ExceptionText.Of(ex));
                throw;
            }
            finally
            {
                // Anything else escaping the call leaves the step failed; the job's own policy fails the job.
                await recording.FinishAsync(status, exitCode).ConfigureAwait(false);
                if (run is not null)
                {
                    run.Trace = null;
                }
            }

            if (status == StepStatus.Failed)
            {
                return null;
            }
        }

        return run is null ? null : EcsProvisioner.Resolve(run);
    }

    /// <summary>Releases what a job created, recorded as a step of its own at the end of the job.</summary>
    public async Task<JobStep> ReleaseAsync(Job job, ClusterSpec spec, string by, Redactor redactor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(redactor);
        var step = await jobs.AppendStepAsync(job.Id, new JobStep
        {
            StepId = CloudStepIds.Release, Title = $"Release the cloud resources this run created (asked by {by})", Node = "cloud", Kind = StepKind.Cloud,
            Status = StepStatus.Pending,
        }, cancellationToken).ConfigureAwait(false);
        var recording = await StepRecording.StartAsync(jobs, events, time, job.Id, step, redactor, keepOutput: false).ConfigureAwait(false);
        var (status, exitCode) = (StepStatus.Failed, (int?)null);
        try
        {
            var recorded = await jobs.ListCloudResourcesAsync(job.Id, cancellationToken).ConfigureAwait(false);
            var run = await provisioner.BeginAsync(job.Id, spec, recorded, (_, _) => Task.CompletedTask, cancellationToken).ConfigureAwait(false);
            run.Trace = recording.Write;
            await provisioner.ReleaseAsync(run, (r, ct) => jobs.MarkCloudResourceReleasedAsync(r.Id, ct), cancellationToken).ConfigureAwait(false);
            (status, exitCode) = (StepStatus.Changed, 0);
        }
        catch (Exception ex) when (ex is AlibabaApiException or InvalidOperationException or System.Text.Json.JsonException)
        {
            recording.Write(ex.Message);
            exitCode = 1;
        }
        catch (Exception ex)
        {
            recording.Write(ex is OperationCanceledException ? "Cancelled." : ExceptionText.Of(ex));
            throw;
        }
        finally
        {
            await recording.FinishAsync(status, exitCode).ConfigureAwait(false);
        }

        return step;
    }
}
