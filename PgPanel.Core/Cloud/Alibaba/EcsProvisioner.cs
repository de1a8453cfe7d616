using System.Text.Json;
using Microsoft.Extensions.Options;
using PgPanel.Core.Planning;
using PgPanel.Core.Records;
using PgPanel.Core.Security;
using PgPanel.Core.Specs;

namespace PgPanel.Core.Cloud.Alibaba;

/// <summary>
/// The cloud phase of a run on Alibaba Cloud ECS: look up and DryRun, create one instance per node (ClientToken per job
/// and node, so a retry or a resume never creates a second one), wait for Running, open 5432 for the vSwitch, attach EIPs,
/// then hand the addresses and root credentials to the SSH provisioning. Each step checks first and does only what is
/// missing; every resource it creates is recorded; release removes exactly those.
/// </summary>
public sealed class EcsProvisioner(AlibabaClient client, AlibabaCredentialResolver credentialResolver, IOptions<AlibabaOptions> options, TimeProvider time)
{
    public const string TagCluster = "pgpanel:cluster";

    public const string TagNode = "pgpanel:node";

    public const string TagJob = "pgpanel:job";

    /// <summary>The credentials for a spec: entered in the panel, else the environment, else ~/.aliyun/config.json.</summary>
    public async Task<AlibabaCredentials> CredentialsAsync(CloudSpec cloud, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cloud);
        var entered = cloud.AccessKeyId is { } id && cloud.AccessKeySecret is { } secret ? new AlibabaCredentials(id, secret, cloud.SecurityToken) : null;
        var lookedAt = new List<string>();
        return await credentialResolver.ResolveAsync(entered, lookedAt, cancellationToken).ConfigureAwait(false)
            ?? throw new CloudCredentialsMissingException($"No Alibaba Cloud AccessKey: looked at {string.Join("; ", lookedAt)}. Enter one in the wizard, or set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET for the panel.");
    }

    public async Task<EcsRun> BeginAsync(
        Guid jobId, ClusterSpec spec, IReadOnlyList<CloudResource> recorded, Func<CloudResource, CancellationToken, Task> record, CancellationToken cancellationToken = default,
        IReadOnlyList<CloudResource>? earlierInstances = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var cloud = spec.Cloud ?? throw new ArgumentException("The spec has no cloud section.", nameof(spec));
        var credentials = await CredentialsAsync(cloud, cancellationToken).ConfigureAwait(false);
        EcsRun? run = null;
        var session = new AlibabaSession(client, credentials, cloud.RegionId, line => run?.Write(line));
        run = new EcsRun { JobId = jobId, Spec = spec, Session = session, Resources = [.. recorded], Record = record };
        foreach (var instance in (earlierInstances ?? []).Concat(recorded).Where(r => r.Kind == CloudResourceKinds.Instance && r.ReleasedAt is null))
        {
            run.InstanceIds[instance.Node] = instance.ResourceId;
        }

        return run;
    }

    /// <summary>Runs one cloud step: Unchanged when everything was already there, Changed when it created something.</summary>
    public async Task<StepStatus> RunStepAsync(EcsRun run, EcsStep step, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(step);
        run.Write($"AccessKey {run.Session.Credentials.MaskedKeyId} from {run.Session.Credentials.Source}, region {run.Cloud.RegionId}");
        return await step.Run(this, run, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The spec the SSH provisioning runs with: every node's host is its instance's address (private, public or EIP as
    /// asked), its private address is what the other nodes use, and it is reached as root with the instance's
    /// password or the key pair's private key.
    /// </summary>
    public static ClusterSpec Resolve(EcsRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var spec = run.Spec;
        NodeSpec For(NodeSpec node, string id)
        {
            var instance = run.Instances.GetValueOrDefault(id) ?? throw new InvalidOperationException($"No instance is known for {id}.");
            var host = run.Cloud.ConnectVia switch
            {
                CloudConnectVia.Private => instance.PrivateIp,
                CloudConnectVia.Public => instance.PublicIp ?? instance.EipAddress,
                CloudConnectVia.Eip => instance.EipAddress,
                var other => throw new ArgumentOutOfRangeException(nameof(run), other, "Not a way to connect."),
            } ?? throw new InvalidOperationException(
                $"Instance {instance.InstanceId} ({id}) has no {ExactEnumJsonConverter<CloudConnectVia>.NameOf(run.Cloud.ConnectVia)} address.");
            var c = node.Connection ?? ConnectionSpec.Local;
            return node with
            {
                Host = host,
                PrivateAddress = instance.PrivateIp is { } p && p != host ? p : null,
                Connection = c with
                {
                    Kind = ConnectionKind.Ssh,
                    User = c.User ?? "root",
                    Password = c.Password ?? (c.PrivateKey is null ? run.Cloud.InstancePassword : null),
                },
            };
        }

        return spec with
        {
            Primary = For(spec.Primary, Planner.PrimaryId),
            Standbys = spec.Standbys.Select((s, i) => For(s, NodeId.StandbyAt(i).ToString())).ToList(),
        };
    }

    /// <summary>
    /// Removes what a run created, newest kind first (EIP associations, EIPs, the 5432 rule, instances), each only
    /// when it still carries this job's mark. Marks each released resource; an error stops and is thrown.
    /// </summary>
    public async Task ReleaseAsync(EcsRun run, Func<CloudResource, CancellationToken, Task> markReleased, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(markReleased);
        var pending = run.Resources.Where(r => r.ReleasedAt is null)
            .OrderBy(r => CloudResourceKinds.ReleaseOrder(r.Kind)).ThenByDescending(r => r.Id).ToList();
        if (pending.Count == 0)
        {
            run.Write("Nothing to release: this run created no cloud resource, or they are released already.");
            return;
        }

        var instanceIds = pending.Where(r => r.Kind == CloudResourceKinds.Instance).Select(r => r.ResourceId).ToList();
        var instances = instanceIds.Count == 0 ? [] : await run.Session.DescribeInstancesAsync(instanceIds, cancellationToken).ConfigureAwait(false);
        foreach (var resource in pending)
        {
            switch (resource.Kind)
            {
                case CloudResourceKinds.EipAssociation:
                    var eip = await run.Session.DescribeEipAsync(resource.ResourceId, cancellationToken).ConfigureAwait(false);
                    if (eip is { Status: "InUse" } && eip.InstanceId == resource.Detail)
                    {
                        await run.Session.UnassociateEipAsync(resource.ResourceId, resource.Detail, cancellationToken).ConfigureAwait(false);
                        await WaitEipAsync(run, resource.ResourceId, "Available", cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        run.Write($"EIP {resource.ResourceId} is no longer associated with {resource.Detail}; nothing to undo.");
                    }

                    break;
                case CloudResourceKinds.Eip:
                    if (await run.Session.DescribeEipAsync(resource.ResourceId, cancellationToken).ConfigureAwait(false) is null)
                    {
                        run.Write($"EIP {resource.ResourceId} is gone already.");
                    }
                    else
                    {
                        await run.Session.ReleaseEipAsync(resource.ResourceId, cancellationToken).ConfigureAwait(false);
                    }

                    break;
                case CloudResourceKinds.IngressRule:
                    var rule = JsonSerializer.Deserialize<EcsIngressRule>(resource.Detail) ?? throw new InvalidOperationException("A recorded rule cannot be read.");
                    await run.Session.RevokeIngressAsync(resource.ResourceId, rule, cancellationToken).ConfigureAwait(false);
                    break;
                case CloudResourceKinds.Instance:
                    var instance = instances.FirstOrDefault(i => i.InstanceId == resource.ResourceId);
                    if (instance is null)
                    {
                        run.Write($"Instance {resource.ResourceId} is gone already.");
                    }
                    else if (instance.Tags.GetValueOrDefault(TagJob) != run.JobId.ToString())
                    {
                        throw new InvalidOperationException($"Instance {resource.ResourceId} does not carry this run's tag {TagJob}={run.JobId}; it is left alone.");
                    }
                    else
                    {
                        await run.Session.DeleteInstanceAsync(resource.ResourceId, cancellationToken).ConfigureAwait(false);
                    }

                    break;
                default:
                    throw new InvalidOperationException($"Unknown cloud resource kind {resource.Kind}.");
            }

            resource.ReleasedAt = time.GetUtcNow();
            await markReleased(resource, cancellationToken).ConfigureAwait(false);
            run.Write($"Released {resource.Kind} {resource.ResourceId} ({resource.Node}).");
        }
    }

    /// <summary>The cloud steps of a run, in order, each with the calls it makes and the code that makes them.</summary>
    public static IReadOnlyList<EcsStep> Steps(ClusterSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var cloud = spec.Cloud ?? throw new ArgumentException("The spec has no cloud section.", nameof(spec));
        var nodes = Planner.NodeIds(spec);
        var steps = new List<EcsStep>
        {
            new(CloudStepIds.Preflight, "Check the AccessKey, image, vSwitch and security group, and DryRun the instances (permissions, quota)",
            [
                new(CloudStepIds.Preflight, "VPC", "DescribeVSwitches", $"RegionId={cloud.RegionId} VSwitchId={cloud.VSwitchId}", "the vSwitch exists in the zone; its CIDR for the 5432 rule"),
                new(CloudStepIds.Preflight, "ECS", "DescribeSecurityGroups", $"RegionId={cloud.RegionId} VpcId=<the vSwitch's VPC>", "the security group is in the same VPC"),
                new(CloudStepIds.Preflight, "ECS", "DescribeImages", cloud.ImageId is { } imageId ? $"ImageId={imageId}" : $"ImageOwnerAlias=system ImageName={ImagePrefix(cloud.Image)}*", "the newest image"),
                .. nodes.Select(id => new PlannedCloudCall(CloudStepIds.Preflight, "ECS", "RunInstances",
                    $"DryRun=true InstanceName={InstanceName(spec, id)} InstanceType={cloud.InstanceType}", "permissions and quota, nothing created")),
            ], (p, run, ct) => p.PreflightStepAsync(run, ct)),
            new(CloudStepIds.Instances, $"Create the ECS instances ({cloud.InstanceType})",
            [
                .. nodes.Select(id => new PlannedCloudCall(CloudStepIds.Instances, "ECS", "RunInstances",
                    $"InstanceName={InstanceName(spec, id)} InstanceType={cloud.InstanceType} ZoneId={cloud.ZoneId} VSwitchId={cloud.VSwitchId} " +
                    $"SecurityGroupId={cloud.SecurityGroupId} SystemDisk.Category={cloud.SystemDiskCategory} " +
                    (cloud.KeyPairName is { } k ? $"KeyPairName={k} " : "Password=******** ") +
                    $"ClientToken=pgpanel-<job>-{id} Tag {TagCluster}={spec.Name}", $"the {id}'s instance")),
            ], (p, run, ct) => p.InstancesStepAsync(run, ct)),
            new(CloudStepIds.Running, "Wait until every instance is Running",
            [
                new(CloudStepIds.Running, "ECS", "DescribeInstances", "InstanceIds=[…] every few seconds", "until every instance is Running; reads the addresses"),
            ], (p, run, ct) => p.RunningStepAsync(run, ct)),
            new(CloudStepIds.Port, "Open TCP 5432 in the security group for the vSwitch",
            [
                new(CloudStepIds.Port, "ECS", "DescribeSecurityGroupAttribute", $"SecurityGroupId={cloud.SecurityGroupId}", "is 5432 open for the vSwitch already?"),
                new(CloudStepIds.Port, "ECS", "AuthorizeSecurityGroup", $"TCP 5432/5432 from <vSwitch CIDR> accept", "only when the rule is missing"),
            ], (p, run, ct) => p.PortStepAsync(run, ct)),
        };
        if (cloud.UseEip)
        {
            steps.Add(new(CloudStepIds.Eip, "Allocate an elastic IP per instance and associate it",
            [
                .. nodes.SelectMany(id => new PlannedCloudCall[]
                {
                    new(CloudStepIds.Eip, "VPC", "AllocateEipAddress", $"Bandwidth={cloud.EipBandwidth} InternetChargeType=PayByTraffic ClientToken=pgpanel-<job>-{id}-eip", $"an EIP for the {id}"),
                    new(CloudStepIds.Eip, "VPC", "AssociateEipAddress", $"InstanceId=<the {id}'s instance>", ""),
                }),
            ], (p, run, ct) => p.EipStepAsync(run, ct)));
        }

        return steps;
    }

    /// <summary>The calls a run will make, for the Review step: the steps' own calls.</summary>
    public static IReadOnlyList<PlannedCloudCall> PlannedCalls(ClusterSpec spec) => [.. Steps(spec).SelectMany(s => s.Calls)];

    /// <summary>The Review's cloud pre-flight: credentials, lookups and DryRun, nothing created.</summary>
    public async Task<IReadOnlyList<PreflightResult>> PreflightAsync(ClusterSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var lines = new List<string>();
        try
        {
            var run = await BeginAsync(Guid.Empty, spec, [], (_, _) => Task.CompletedTask, cancellationToken).ConfigureAwait(false);
            run.Trace = lines.Add;
            await PreflightStepAsync(run, cancellationToken).ConfigureAwait(false);
            return [new PreflightResult(CloudStepIds.Preflight, "Alibaba Cloud: AccessKey, image, vSwitch, security group, DryRun", "cloud", true, string.Join('\n', lines))];
        }
        catch (Exception ex) when (ex is AlibabaApiException or InvalidOperationException)
        {
            lines.Add(ex.Message);
            return [new PreflightResult(CloudStepIds.Preflight, "Alibaba Cloud: AccessKey, image, vSwitch, security group, DryRun", "cloud", false, string.Join('\n', lines))];
        }
    }

    public static string InstanceName(ClusterSpec spec, string nodeId)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var node = NodeId.Parse(nodeId);
        return node.IsPrimary ? $"{spec.Name}-primary" : $"{spec.Name}-standby-{node.StandbyNumber}";
    }

    private static string ImagePrefix(CloudImage? image) => image switch
    {
        CloudImage.Centos7 => "centos_7",
        CloudImage.Alinux3 => "aliyun_3_x64",
        _ => throw new ArgumentOutOfRangeException(nameof(image), image, "Not an image line (the spec gives an imageId instead?)."),
    };

    private async Task<StepStatus> PreflightStepAsync(EcsRun run, CancellationToken cancellationToken)
    {
        var cloud = run.Cloud;
        var vSwitch = (await run.Session.DescribeVSwitchesAsync(vSwitchId: cloud.VSwitchId, cancellationToken: cancellationToken).ConfigureAwait(false))
            .FirstOrDefault(v => v.VSwitchId == cloud.VSwitchId)
            ?? throw new InvalidOperationException($"vSwitch {cloud.VSwitchId} does not exist in {cloud.RegionId}.");
        if (vSwitch.ZoneId != cloud.ZoneId)
        {
            throw new InvalidOperationException($"vSwitch {vSwitch.VSwitchId} is in zone {vSwitch.ZoneId}, not {cloud.ZoneId}; choose a vSwitch of the zone.");
        }

        run.VSwitch = vSwitch;
        run.Write($"vSwitch {vSwitch.VSwitchId}: VPC {vSwitch.VpcId}, zone {vSwitch.ZoneId}, CIDR {vSwitch.CidrBlock}");
        var groups = await run.Session.DescribeSecurityGroupsAsync(vSwitch.VpcId, cancellationToken).ConfigureAwait(false);
        if (groups.All(g => g.SecurityGroupId != cloud.SecurityGroupId))
        {
            throw new InvalidOperationException($"Security group {cloud.SecurityGroupId} is not in VPC {vSwitch.VpcId} (the vSwitch's).");
        }

        var images = cloud.ImageId is { } imageId
            ? await run.Session.DescribeImagesAsync(imageId: imageId, cancellationToken: cancellationToken).ConfigureAwait(false)
            : await run.Session.DescribeImagesAsync(ImagePrefix(cloud.Image), cancellationToken: cancellationToken).ConfigureAwait(false);
        var image = images.FirstOrDefault() ?? throw new InvalidOperationException(
            cloud.ImageId is null ? $"No public {ExactEnumJsonConverter<CloudImage>.NameOf(cloud.Image!.Value)} image in {cloud.RegionId}." : $"Image {cloud.ImageId} does not exist in {cloud.RegionId}.");
        run.ImageId = image.ImageId;
        run.Write($"Image {image.ImageId} ({image.OsName}, {image.CreationTime})");

        var missing = Planner.NodeIds(run.Spec).Where(id => !run.InstanceIds.ContainsKey(id)).ToList();
        foreach (var id in missing)
        {
            await run.Session.DryRunInstanceAsync(InstanceRequest(run, id), cancellationToken).ConfigureAwait(false);
        }

        run.Write(missing.Count == 0 ? "Every instance exists already; no DryRun needed." : $"DryRun passed for {string.Join(", ", missing)}: permissions and quota are fine.");
        return StepStatus.Unchanged;
    }

    private async Task<StepStatus> InstancesStepAsync(EcsRun run, CancellationToken cancellationToken)
    {
        var changed = false;
        foreach (var id in Planner.NodeIds(run.Spec))
        {
            if (run.InstanceIds.TryGetValue(id, out var existing))
            {
                run.Write($"{id}: instance {existing} was created by this run already.");
                continue;
            }

            var request = InstanceRequest(run, id);
            var instanceId = await run.Session.RunInstanceAsync(request, cancellationToken).ConfigureAwait(false);
            var resource = new CloudResource
            {
                JobId = run.JobId, Kind = CloudResourceKinds.Instance, ResourceId = instanceId, RegionId = run.Cloud.RegionId, Node = id, Detail = request.InstanceName,
            };
            await run.Record(resource, cancellationToken).ConfigureAwait(false);
            run.Resources.Add(resource);
            run.InstanceIds[id] = instanceId;
            run.Write($"{id}: created instance {instanceId} ({request.InstanceName}).");
            changed = true;
        }

        return changed ? StepStatus.Changed : StepStatus.Unchanged;
    }

    private async Task<StepStatus> RunningStepAsync(EcsRun run, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow().AddSeconds(options.Value.RunningTimeoutSeconds);
        var waited = false;
        var last = new Dictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            var described = await run.Session.DescribeInstancesAsync(run.InstanceIds.Values.ToList(), cancellationToken).ConfigureAwait(false);
            foreach (var (node, id) in run.InstanceIds)
            {
                var instance = described.FirstOrDefault(i => i.InstanceId == id)
                    ?? throw new InvalidOperationException($"Instance {id} ({node}) no longer exists.");
                run.Instances[node] = instance;
                if (last.GetValueOrDefault(node) != instance.Status)
                {
                    run.Write($"{node}: {id} is {instance.Status}");
                    last[node] = instance.Status;
                }

                if (instance.Status is "Stopped" or "Stopping")
                {
                    throw new InvalidOperationException($"Instance {id} ({node}) is {instance.Status}; start it in the console, then resume.");
                }
            }

            if (run.Instances.Values.All(i => i.Status == "Running"))
            {
                foreach (var (node, instance) in run.Instances)
                {
                    run.Write($"{node}: {instance.InstanceId} private {instance.PrivateIp ?? "–"}, public {instance.PublicIp ?? "–"}, EIP {instance.EipAddress ?? "–"}");
                }

                return waited ? StepStatus.Changed : StepStatus.Unchanged;
            }

            if (time.GetUtcNow() > deadline)
            {
                throw new InvalidOperationException($"The instances were not Running after {options.Value.RunningTimeoutSeconds} s.");
            }

            waited = true;
            await Task.Delay(TimeSpan.FromSeconds(options.Value.PollIntervalSeconds), time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<StepStatus> PortStepAsync(EcsRun run, CancellationToken cancellationToken)
    {
        var cidr = run.VSwitch?.CidrBlock ?? throw new InvalidOperationException("The vSwitch was not looked up.");
        var rule = new EcsIngressRule("TCP", "5432/5432", cidr, "accept", $"PgPanel {run.Spec.Name}: PostgreSQL between the nodes");
        var existing = await run.Session.DescribeIngressRulesAsync(run.Cloud.SecurityGroupId, cancellationToken).ConfigureAwait(false);
        if (existing.Any(r => r.Matches(rule)))
        {
            run.Write($"{run.Cloud.SecurityGroupId} already accepts TCP 5432 from {cidr}.");
            return StepStatus.Unchanged;
        }

        await run.Session.AuthorizeIngressAsync(run.Cloud.SecurityGroupId, rule, cancellationToken).ConfigureAwait(false);
        var resource = new CloudResource
        {
            JobId = run.JobId, Kind = CloudResourceKinds.IngressRule, ResourceId = run.Cloud.SecurityGroupId, RegionId = run.Cloud.RegionId,
            Node = "cluster", Detail = JsonSerializer.Serialize(rule),
        };
        await run.Record(resource, cancellationToken).ConfigureAwait(false);
        run.Resources.Add(resource);
        run.Write($"{run.Cloud.SecurityGroupId} now accepts TCP 5432 from {cidr}.");
        return StepStatus.Changed;
    }

    private async Task<StepStatus> EipStepAsync(EcsRun run, CancellationToken cancellationToken)
    {
        var changed = false;
        foreach (var (node, instanceId) in run.InstanceIds)
        {
            var instance = run.Instances[node];
            if (instance.EipAddress is { } address)
            {
                run.Write($"{node}: {instanceId} has EIP {address} already.");
                continue;
            }

            var allocationId = run.Created(CloudResourceKinds.Eip, node)?.ResourceId;
            if (allocationId is null)
            {
                var eip = await run.Session.AllocateEipAsync($"pgpanel-{run.JobId:N}-{node}-eip", run.Cloud.EipBandwidth, cancellationToken).ConfigureAwait(false);
                var allocated = new CloudResource
                {
                    JobId = run.JobId, Kind = CloudResourceKinds.Eip, ResourceId = eip.AllocationId, RegionId = run.Cloud.RegionId, Node = node, Detail = eip.IpAddress,
                };
                await run.Record(allocated, cancellationToken).ConfigureAwait(false);
                run.Resources.Add(allocated);
                allocationId = eip.AllocationId;
                run.Write($"{node}: allocated EIP {eip.IpAddress} ({eip.AllocationId}).");
            }

            await run.Session.AssociateEipAsync(allocationId, instanceId, cancellationToken).ConfigureAwait(false);
            var association = new CloudResource
            {
                JobId = run.JobId, Kind = CloudResourceKinds.EipAssociation, ResourceId = allocationId, RegionId = run.Cloud.RegionId, Node = node, Detail = instanceId,
            };
            await run.Record(association, cancellationToken).ConfigureAwait(false);
            run.Resources.Add(association);
            await WaitEipAsync(run, allocationId, "InUse", cancellationToken).ConfigureAwait(false);
            changed = true;
        }

        foreach (var instance in await run.Session.DescribeInstancesAsync(run.InstanceIds.Values.ToList(), cancellationToken).ConfigureAwait(false))
        {
            var node = run.InstanceIds.First(kv => kv.Value == instance.InstanceId).Key;
            run.Instances[node] = instance;
            run.Write($"{node}: {instance.InstanceId} EIP {instance.EipAddress ?? "–"}");
        }

        return changed ? StepStatus.Changed : StepStatus.Unchanged;
    }

    private async Task WaitEipAsync(EcsRun run, string allocationId, string status, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow().AddSeconds(options.Value.RunningTimeoutSeconds);
        while ((await run.Session.DescribeEipAsync(allocationId, cancellationToken).ConfigureAwait(false))?.Status != status)
        {
            if (time.GetUtcNow() > deadline)
            {
                throw new InvalidOperationException($"EIP {allocationId} did not become {status}.");
            }

            await Task.Delay(TimeSpan.FromSeconds(options.Value.PollIntervalSeconds), time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static EcsInstanceRequest InstanceRequest(EcsRun run, string nodeId)
    {
        var cloud = run.Cloud;
        var name = InstanceName(run.Spec, nodeId);
        return new EcsInstanceRequest(
            name, run.ImageId ?? throw new InvalidOperationException("The image was not looked up."), cloud.InstanceType, cloud.ZoneId, cloud.VSwitchId,
            cloud.SecurityGroupId, cloud.SystemDiskCategory, cloud.ConnectVia == CloudConnectVia.Public ? cloud.EipBandwidth : 0, cloud.KeyPairName,
            cloud.InstancePassword, $"pgpanel-{run.JobId:N}-{nodeId}",
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [TagCluster] = run.Spec.Name,
                [TagNode] = nodeId,
                [TagJob] = run.JobId.ToString(),
            });
    }

    /// <summary>A strong root password that meets ECS's rule, for instances the DBA gave no password or key for.</summary>
    public static Secret GenerateInstancePassword()
    {
        while (true)
        {
            var candidate = PasswordGenerator.Generate(24);
            if (CloudSpecValidator.PasswordProblem(candidate.Reveal()) is null)
            {
                return candidate;
            }
        }
    }

}
