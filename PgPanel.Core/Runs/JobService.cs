using Microsoft.Extensions.Options;
using PgPanel.Core.Clusters;
using PgPanel.Core.Hosts;
using PgPanel.Core.Planning;
using PgPanel.Core.Records;
using PgPanel.Core.Security;
using PgPanel.Core.Specs;

namespace PgPanel.Core.Runs;

/// <summary>What the API and the pages ask of the engine: plan a spec, start, resume and cancel jobs, read them.</summary>
public sealed class JobService(
    JobStore jobs, ClusterStore clusters, IHostShellFactory shells, JobQueue queue, JobCancellation cancellation,
    JobEvents events, IOptions<PanelOptions> options, IOptions<JobOptions> jobOptions, TimeProvider time, CloudStepRunner cloudSteps,
    Cloud.Alibaba.EcsProvisioner provisioner)
{
    /// <summary>The panel's settings a plan depends on.</summary>
    public static PlanOptions PlanOptionsOf(JobOptions options) => new(options.FailedCloneKeepHours, options.FailedCloneKeepCount);

    /// <summary>What a spec would change on an existing cluster that needs a confirmation (none for a new cluster).</summary>
    public async Task<ClusterChanges> ChangesAsync(ClusterSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        // Compared with the cluster as its last successful run left it (a failed run changed what it got to, not the record).
        var record = await clusters.GetAsync(spec.Name, cancellationToken).ConfigureAwait(false);
        var applied = record?.LastSucceededJobId is { } last && await jobs.GetAsync(last, cancellationToken).ConfigureAwait(false) is { } job
            ? job.SpecJson
            : record?.State == ClusterState.Ready ? record.SpecJson : null;
        return ClusterChanges.Between(applied, spec);
    }

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
        var changes = await ChangesAsync(spec, cancellationToken).ConfigureAwait(false);
        return Planner.Create(new PlanRequest(spec, hostFacts, localRoot, PlanOptionsOf(jobOptions.Value), changes.DropSlots));
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
        var changes = await ChangesAsync(spec, cancellationToken).ConfigureAwait(false);
        var plan = Planner.Create(new PlanRequest(spec, hostFacts, localRoot, PlanOptionsOf(jobOptions.Value), changes.DropSlots));
        var preflight = await Runner.PreflightAsync(plan, hosts.ByNode, SpecSecrets.Extract(spec), cancellationToken).ConfigureAwait(false);
        return (plan, preflight);
    }

    /// <summary>
    /// Queues a job for a spec. A ticket: while a job of the same cluster is queued or running, that job is returned.
    /// A null replication password reuses the one of the cluster's last successful run, or generates a strong one. A
    /// spec that changes an existing cluster in a way that needs a confirmation (<see cref="ClusterChanges"/>) starts
    /// only with the token of exactly those changes; otherwise <see cref="ConfirmationRequiredException"/>.
    /// </summary>
    public async Task<Job> StartAsync(ClusterSpec spec, string startedBy, string? confirm = null, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalid(spec);
        var active = await jobs.FindActiveAsync(spec.Name, cancellationToken).ConfigureAwait(false);
        if (active is not null)
        {
            return active;
        }

        var changes = await ChangesAsync(spec, cancellationToken).ConfigureAwait(false);
        if (changes.NeedsConfirmation && !string.Equals(confirm, changes.Token, StringComparison.Ordinal))
        {
            throw new ConfirmationRequiredException(changes);
        }

        // The secrets of this run, each with where it came from: the spec; the cluster's last *successful* run (never a
        // failed one: a wrong sudo password must not come back by itself); the run that made live cloud instances (their
        // root password); or generated now.
        var secrets = new Dictionary<string, Secret>(StringComparer.Ordinal);
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        if (await clusters.GetAsync(spec.Name, cancellationToken).ConfigureAwait(false) is { } record)
        {
            var kept = record.LastSucceededJobId is { } from
                ? $"kept from run {from.ToString()[..8]}, the cluster's last successful run ({record.UpdatedAt:u})"
                : "kept with the cluster";
            foreach (var (name, value) in clusters.Unseal(record.SealedSecretsJson))
            {
                (secrets[name], sources[name]) = (value, kept);
            }
        }

        if (spec.Cloud is { KeyPairName: null } && !secrets.ContainsKey(SpecSecrets.CloudInstancePassword) &&
            (await jobs.ListLiveInstancesAsync(spec.Name, Guid.Empty, cancellationToken).ConfigureAwait(false)).FirstOrDefault() is { } instance &&
            await jobs.GetAsync(instance.JobId, cancellationToken).ConfigureAwait(false) is { } maker &&
            clusters.Unseal(maker.SealedSecretsJson).TryGetValue(SpecSecrets.CloudInstancePassword, out var rootPassword))
        {
            (secrets[SpecSecrets.CloudInstancePassword], sources[SpecSecrets.CloudInstancePassword]) =
                (rootPassword, $"the root password of the instances run {maker.Id.ToString()[..8]} created");
        }

        foreach (var (name, value) in SpecSecrets.Extract(spec))
        {
            (secrets[name], sources[name]) = (value, "the spec");
        }

        void Generate(string name, Func<Secret> make)
        {
            if (!secrets.ContainsKey(name))
            {
                (secrets[name], sources[name]) = (make(), "generated by this run");
            }
        }

        Generate(PlanDefaults.MonitorPasswordSecret, () => PasswordGenerator.Generate());
        Generate(PlanDefaults.ReplicationPasswordSecret, () => PasswordGenerator.Generate());
        if (spec.Cloud is { KeyPairName: null })
        {
            Generate(SpecSecrets.CloudInstancePassword, Cloud.Alibaba.EcsProvisioner.GenerateInstancePassword);
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
            SealedSecretsJson = clusters.Seal(secrets),
            SecretSourcesJson = PanelJson.Serialize(sources),
            DropSlotsJson = PanelJson.Serialize(changes.DropSlots),
        };
        for (var attempt = 0; !await jobs.TryAddAsync(job, cancellationToken).ConfigureAwait(false); attempt++)
        {
            // Another request for this cluster won the race: its job is the answer, as if it had been found above. When
            // that job has already ended, this one is added after all (a few tries: the index decides each time).
            if (await jobs.FindActiveAsync(spec.Name, cancellationToken).ConfigureAwait(false) is { } winner)
            {
                return winner;
            }

            if (attempt == 3)
            {
                throw new RunConflictException($"Could not record a run of cluster {spec.Name}: other runs of it kept starting and ending; start again.");
            }

            job.Id = Guid.NewGuid();
        }

        await clusters.SaveAsync(spec.Name, spec.PostgresVersion.ToString(), specJson, job.Id, cancellationToken).ConfigureAwait(false);
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
            throw new RunConflictException("This run's cloud resources were released; start a new run instead of resuming it.");
        }

        if (await jobs.PrepareResumeAsync(id, cancellationToken).ConfigureAwait(false))
        {
            // A run that failed before changing anything left no cluster behind: resuming it registers the cluster again.
            if (await clusters.GetAsync(job.ClusterName, cancellationToken).ConfigureAwait(false) is null)
            {
                var spec = PanelJson.Deserialize<ClusterSpec>(job.SpecJson);
                await clusters.SaveAsync(job.ClusterName, spec.PostgresVersion.ToString(), job.SpecJson, job.Id, cancellationToken).ConfigureAwait(false);
            }

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

    /// <summary>
    /// Forgets a cluster (<see cref="ClusterStore.ForgetAsync"/>): no server is touched. Refused while a run of it is queued
    /// or running, and while instances a run created for it are live (forgetting them would orphan what they cost). The
    /// forgetting is written into the audit of the cluster's last run. False: no such cluster.
    /// </summary>
    public async Task<bool> ForgetClusterAsync(string name, string by, CancellationToken cancellationToken = default)
    {
        var record = await clusters.GetAsync(name, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return false;
        }

        if (await jobs.FindActiveAsync(name, cancellationToken).ConfigureAwait(false) is { } active)
        {
            throw new RunConflictException($"Run {active.Id.ToString()[..8]} of cluster {name} is {active.Status.ToString().ToLowerInvariant()}; cancel it or let it end first.");
        }

        var live = await jobs.ListLiveInstancesAsync(name, Guid.Empty, cancellationToken).ConfigureAwait(false);
        if (live.Count > 0)
        {
            throw new RunConflictException(
                $"Cluster {name} has live cloud instances ({string.Join(", ", live.Select(i => i.ResourceId))}) created by run {live[0].JobId.ToString()[..8]}; " +
                "release them (or delete them in the console) first, so that nothing is left running unseen.");
        }

        if (record.LastJobId is { } last)
        {
            await jobs.AppendAuditAsync(last, $"cluster {name} forgotten by {by} (no server was touched)", cancellationToken).ConfigureAwait(false);
        }

        return await clusters.ForgetAsync(name, cancellationToken).ConfigureAwait(false);
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
            throw new RunConflictException($"Only a failed, cancelled or interrupted run can release its resources; this one is {job.Status.ToString().ToLowerInvariant()}.");
        }

        var secrets = clusters.Unseal(job.SealedSecretsJson);
        var spec = SpecSecrets.Apply(PanelJson.Deserialize<ClusterSpec>(job.SpecJson), secrets);
        if (spec.Cloud is null)
        {
            throw new RunConflictException("This run created no cloud resources.");
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

        var os = cloud.ImageId is not null ? "alinux-3" : cloud.Image switch
        {
            CloudImage.Centos7 => "centos-7",
            CloudImage.Alinux3 => "alinux-3",
            _ => throw new ArgumentOutOfRangeException(nameof(spec), cloud.Image, "Not an image line."),
        };
        NodeSpec Placeholder(NodeSpec node, string id) => node with
        {
            Host = Cloud.Alibaba.EcsProvisioner.InstanceName(spec, id).Replace('_', '-'),
            Os = node.Os ?? os,
            Connection = (node.Connection ?? ConnectionSpec.Local) with { Kind = ConnectionKind.Ssh, User = node.Connection?.User ?? "root" },
        };
        return spec with
        {
            Primary = Placeholder(spec.Primary, Planner.PrimaryId),
            Standbys = spec.Standbys.Select((s, i) => Placeholder(s, NodeId.StandbyAt(i).ToString())).ToList(),
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
