using Microsoft.Extensions.Options;
using PgPanel.Core.Clusters;
using PgPanel.Core.Hosts;
using PgPanel.Core.Planning;
using PgPanel.Core.Security;
using PgPanel.Core.Specs;

namespace PgPanel.Core.Runs;

/// <summary>What the API and the pages ask of the engine: plan a spec, start, resume and cancel jobs, read them.</summary>
public sealed class JobService(
    JobStore jobs, ClusterStore clusters, IHostShellFactory shells, JobQueue queue, JobCancellation cancellation,
    JobEvents events, IOptions<PanelOptions> options, TimeProvider time, CloudStepRunner cloudSteps, Cloud.Alibaba.EcsProvisioner provisioner)
{
    /// <summary>The plan for a spec: probes local hosts (and SSH hosts that name no "os"), never changes anything.</summary>
    public async Task<Plan> PlanAsync(ClusterSpec spec, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalid(spec);
        var localRoot = options.Value.FullDataDirectory;
        var pins = await clusters.GetHostKeysAsync(spec.Name, cancellationToken).ConfigureAwait(false);
        spec = SpecSecrets.Apply(spec, await clusters.GetSecretsAsync(spec.Name, cancellationToken).ConfigureAwait(false));
        spec = ForPlanning(spec);
        await using var hosts = await ConnectedHosts.ConnectAsync(shells, spec, pins,
            id => Planner.NodeSpecOf(spec, id) is var n && (n.Connection.Kind == ConnectionKind.Local || n.Os is null), cancellationToken).ConfigureAwait(false);
        var hostFacts = await FactsCollector.CollectAsync(spec, hosts.ByNode, localRoot, cancellationToken).ConfigureAwait(false);
        return Planner.Create(new PlanRequest(spec, hostFacts, localRoot));
    }

    /// <summary>The plan and its pre-flight checks, run on the hosts now (nothing is changed).</summary>
    public async Task<(Plan Plan, IReadOnlyList<PreflightResult> Preflight)> ReviewAsync(ClusterSpec spec, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalid(spec);
        var localRoot = options.Value.FullDataDirectory;
        var pins = await clusters.GetHostKeysAsync(spec.Name, cancellationToken).ConfigureAwait(false);
        var secrets = await clusters.GetSecretsAsync(spec.Name, cancellationToken).ConfigureAwait(false);
        spec = SpecSecrets.Apply(spec, secrets);
        if (spec.Cloud is not null)
        {
            var cloudPreflight = await provisioner.PreflightAsync(spec, cancellationToken).ConfigureAwait(false);
            return (await PlanAsync(spec, cancellationToken).ConfigureAwait(false), cloudPreflight);
        }

        await using var hosts = await ConnectedHosts.ConnectAsync(shells, spec, pins, cancellationToken: cancellationToken).ConfigureAwait(false);
        var hostFacts = await FactsCollector.CollectAsync(spec, hosts.ByNode, localRoot, cancellationToken).ConfigureAwait(false);
        var plan = Planner.Create(new PlanRequest(spec, hostFacts, localRoot));
        var preflight = await Runner.PreflightAsync(plan, hosts.ByNode, SpecSecrets.Extract(spec), cancellationToken).ConfigureAwait(false);
        return (plan, preflight);
    }

    /// <summary>
    /// Queues a job for a spec. A ticket: while a job of the same cluster is queued or running, that job is returned.
    /// A null replication password reuses the cluster's sealed one, or generates a strong one.
    /// </summary>
    public async Task<Job> StartAsync(ClusterSpec spec, string startedBy, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalid(spec);
        var active = await jobs.FindActiveAsync(spec.Name, cancellationToken).ConfigureAwait(false);
        if (active is not null)
        {
            return active;
        }

        var secrets = new Dictionary<string, Secret>(await clusters.GetSecretsAsync(spec.Name, cancellationToken).ConfigureAwait(false), StringComparer.Ordinal);
        foreach (var (name, value) in SpecSecrets.Extract(spec))
        {
            secrets[name] = value;
        }

        if (!secrets.ContainsKey(PlanDefaults.MonitorPasswordSecret))
        {
            secrets[PlanDefaults.MonitorPasswordSecret] = PasswordGenerator.Generate();
        }

        if (!secrets.ContainsKey(PlanDefaults.ReplicationPasswordSecret))
        {
            secrets[PlanDefaults.ReplicationPasswordSecret] = PasswordGenerator.Generate();
        }

        if (spec.Cloud is { KeyPairName: null } && !secrets.ContainsKey(SpecSecrets.CloudInstancePassword))
        {
            secrets[SpecSecrets.CloudInstancePassword] = Cloud.Alibaba.EcsProvisioner.GenerateInstancePassword();
        }

        var specJson = PanelJson.Serialize(spec);
        var job = new Job
        {
            Id = Guid.NewGuid(),
            ClusterName = spec.Name,
            Status = JobStatus.Queued,
            SpecJson = specJson,
            StartedBy = startedBy,
            CreatedAt = time.GetUtcNow(),
            Audit = $"{time.GetUtcNow():u} started by {startedBy}\n",
        };
        await jobs.AddAsync(job, cancellationToken).ConfigureAwait(false);
        await clusters.SaveAsync(spec.Name, spec.PostgresVersion.ToString(), specJson, secrets, job.Id, cancellationToken).ConfigureAwait(false);
        queue.Enqueue(job.Id);
        events.Publish(job.Id, JobEventKind.JobStatusChanged, jobStatus: JobStatus.Queued);
        return job;
    }

    public Task<Job?> GetAsync(Guid id, CancellationToken cancellationToken = default) => jobs.GetAsync(id, cancellationToken);

    public Task<(IReadOnlyList<Job> Items, int Total)> QueryAsync(JobFilter filter, int skip, int take, CancellationToken cancellationToken = default) =>
        jobs.QueryAsync(filter, skip, take, cancellationToken);

    public Task<IReadOnlyList<Job>> ListAsync(int skip, int take, string? clusterName, CancellationToken cancellationToken = default) =>
        jobs.ListAsync(skip, take, clusterName, cancellationToken);

    /// <summary>Re-queues a failed, cancelled or interrupted job; it re-checks from its first unfinished step.</summary>
    public async Task<Job?> ResumeAsync(Guid id, string by = "unknown", CancellationToken cancellationToken = default)
    {
        var job = await jobs.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (job is null)
        {
            return null;
        }

        if ((await jobs.ListCloudResourcesAsync(id, cancellationToken).ConfigureAwait(false)).Any(r => r.ReleasedAt is not null))
        {
            throw new InvalidOperationException("This run's cloud resources were released; start a new run instead of resuming it.");
        }

        if (await jobs.PrepareResumeAsync(id, cancellationToken).ConfigureAwait(false))
        {
            await jobs.AppendAuditAsync(id, $"resumed by {by}", cancellationToken).ConfigureAwait(false);
            queue.Enqueue(id);
            events.Publish(id, JobEventKind.JobStatusChanged, jobStatus: JobStatus.Queued);
        }

        return await jobs.GetAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Cancels a queued job, or stops the running command of a running one.</summary>
    public async Task<Job?> CancelAsync(Guid id, string by = "unknown", CancellationToken cancellationToken = default)
    {
        var job = await jobs.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (job is null)
        {
            return null;
        }

        if (job.Status is JobStatus.Queued or JobStatus.Running)
        {
            await jobs.AppendAuditAsync(id, $"cancelled by {by}", cancellationToken).ConfigureAwait(false);
        }

        if (!cancellation.Cancel(id) && job.Status == JobStatus.Queued)
        {
            await jobs.SetStatusAsync(id, JobStatus.Cancelled, "Cancelled by a user before it started.", cancellationToken).ConfigureAwait(false);
            events.Publish(id, JobEventKind.JobStatusChanged, jobStatus: JobStatus.Cancelled);
        }

        return await jobs.GetAsync(id, cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<CloudResource>> ListCloudResourcesAsync(Guid id, CancellationToken cancellationToken = default) =>
        jobs.ListCloudResourcesAsync(id, cancellationToken);

    /// <summary>
    /// Removes the cloud resources a failed, cancelled or interrupted run created (and only those), as a step of the
    /// run. Null: no such job.
    /// </summary>
    public async Task<Job?> ReleaseCloudResourcesAsync(Guid id, string by = "unknown", CancellationToken cancellationToken = default)
    {
        var job = await jobs.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (job is null)
        {
            return null;
        }

        if (job.Status is not (JobStatus.Failed or JobStatus.Cancelled or JobStatus.Interrupted))
        {
            throw new InvalidOperationException($"Only a failed, cancelled or interrupted run can release its resources; this one is {job.Status.ToString().ToLowerInvariant()}.");
        }

        var secrets = await clusters.GetSecretsAsync(job.ClusterName, cancellationToken).ConfigureAwait(false);
        var spec = SpecSecrets.Apply(PanelJson.Deserialize<ClusterSpec>(job.SpecJson), secrets);
        if (spec.Cloud is null)
        {
            throw new InvalidOperationException("This run created no cloud resources.");
        }

        await jobs.AppendAuditAsync(id, $"release of cloud resources asked by {by}", cancellationToken).ConfigureAwait(false);
        await cloudSteps.ReleaseAsync(job, spec, by, new Redactor(secrets.Values), cancellationToken).ConfigureAwait(false);
        return await jobs.GetAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A cloud spec before its instances exist: each node is planned as root over SSH on its instance's name, for the
    /// OS of the chosen image (the run plans again against the real instances).
    /// </summary>
    private static ClusterSpec ForPlanning(ClusterSpec spec)
    {
        if (spec.Cloud is not { } cloud)
        {
            return spec;
        }

        var os = cloud.ImageId is null && cloud.Image == "centos-7" ? "centos-7" : "alinux-3";
        NodeSpec Placeholder(NodeSpec node, string id) => node with
        {
            Host = Cloud.Alibaba.EcsProvisioner.InstanceName(spec, id).Replace('_', '-'),
            Os = node.Os ?? os,
            Connection = (node.Connection ?? ConnectionSpec.Local) with { Kind = ConnectionKind.Ssh, User = node.Connection?.User ?? "root" },
        };
        return spec with
        {
            Primary = Placeholder(spec.Primary, Planner.PrimaryId),
            Standbys = spec.Standbys.Select((s, i) => Placeholder(s, $"standby{i + 1}")).ToList(),
        };
    }

    private static void ThrowIfInvalid(ClusterSpec spec)
    {
        var validation = SpecValidator.Validate(spec);
        if (!validation.IsValid)
        {
            throw new SpecValidationException(validation);
        }
    }
}
