using PgPanel.Core;
using PgPanel.Core.Clusters;
using PgPanel.Core.Monitoring;
using PgPanel.Core.Records;
using PgPanel.Core.Runs;
using PgPanel.Core.Specs;

namespace PgPanel.Web.Api;

public static class ClusterEndpoints
{
    public static RouteGroupBuilder MapClusterEndpoints(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet("/clusters", async (ClusterStore clusters, SampleStore samples, CancellationToken cancellationToken) =>
            {
                var records = await clusters.ListAsync(cancellationToken);
                return Results.Ok(records.Select(r => ClusterSummary.From(r, samples.Latest(r.Name))));
            })
            .WithName("ListClusters")
            .WithSummary("The clusters PgPanel built, each with its health and largest lag from the latest sample.");

        api.MapGet("/clusters/{name}/replication", async (string name, ClusterStore clusters, SampleStore samples, CancellationToken cancellationToken) =>
            {
                if (await clusters.GetAsync(name, cancellationToken) is null)
                {
                    return Problems.NotFound($"Cluster {name}");
                }

                return samples.Latest(name) is { } sample
                    ? Results.Ok(sample)
                    : Results.Problem(title: $"Cluster {name} has not been sampled yet.", statusCode: StatusCodes.Status404NotFound);
            })
            .WithName("GetReplication")
            .WithSummary("The latest sample: the primary's pg_stat_replication rows and slots, each standby's WAL receiver, lag, health.")
            .Produces<ClusterSample>();

        api.MapGet("/clusters/{name}/replication/history", async (string name, DateTimeOffset? from, DateTimeOffset? to,
                ClusterStore clusters, SampleStore samples, HistoryStore history, TimeProvider time, CancellationToken cancellationToken) =>
            {
                if (await clusters.GetAsync(name, cancellationToken) is null)
                {
                    return Problems.NotFound($"Cluster {name}");
                }

                var end = to ?? time.GetUtcNow();
                var start = from ?? end.AddMinutes(-15);
                if (start > end)
                {
                    return Problems.Validation(new Dictionary<string, string[]> { ["from"] = ["from must not be after to."] });
                }

                // Every sample where memory still has them; one point a minute from SQLite before that.
                var oldest = samples.OldestAt(name) ?? DateTimeOffset.MaxValue;
                var points = new List<HistoryPoint>();
                if (start < oldest)
                {
                    var minutes = await history.PointsAsync(name, start, oldest < end ? oldest : end, cancellationToken);
                    points.AddRange(minutes.Select(p => new HistoryPoint(p.MinuteStart, p.Node, p.MaxReplayLagBytes, p.MaxReplayDelaySeconds, p.WorstState)));
                }

                points.AddRange(samples.Range(name, start, end).SelectMany(s => s.Standbys.Select(b =>
                    new HistoryPoint(s.SampledAt, b.Node, b.ReplayLagBytes ?? b.ReceiveReplayGapBytes, b.ReplayDelaySeconds, b.State))));
                var resolution = start >= oldest ? "sample" : end < oldest ? "minute" : "mixed";
                return Results.Ok(new HistoryResponse(name, resolution, start, end, points));
            })
            .WithName("GetReplicationHistory")
            .WithSummary("Lag over time: every sample for recent ranges, one point a minute (worst state, largest lag) beyond.");

        api.MapDelete("/clusters/{name}", async (string name, JobService jobs, HttpContext context, CancellationToken cancellationToken) =>
            {
                return await jobs.ForgetClusterAsync(name, JobEndpoints.Who(context), cancellationToken) ? Results.NoContent() : Problems.NotFound($"Cluster {name}");
            })
            .RequireAuthorization(Core.Accounts.PanelRoles.CanAdminister)
            .WithName("ForgetCluster")
            .WithSummary("Forget a cluster: PgPanel stops watching it and drops its record, secrets, host keys and lag history. No server is touched; its runs stay in the history.");

        api.MapGet("/clusters/{name}/alerts", async (string name, AlertRules rules, HistoryStore history, CancellationToken cancellationToken) =>
                Results.Ok(new { active = rules.Active(name), recent = await history.AlertsAsync(name, 100, cancellationToken) }))
            .WithName("GetAlerts")
            .WithSummary("Active alerts and the latest raised/cleared events of a cluster.");
        return api;
    }
}

/// <summary>A cluster in GET /api/clusters.</summary>
public sealed record ClusterSummary(
    string Name, string PostgresVersion, ClusterState State, ClusterHealth? Health, IReadOnlyList<ClusterNodeSummary> Nodes,
    long? MaxLagBytes, DateTimeOffset? SampledAt, Guid? LastJobId, DateTimeOffset UpdatedAt)
{
    public static ClusterSummary From(ClusterRecord record, ClusterSample? sample)
    {
        ArgumentNullException.ThrowIfNull(record);
        var spec = PanelJson.Deserialize<ClusterSpec>(record.SpecJson);
        var nodes = Core.Planning.Planner.NodeIds(spec).Select(id =>
        {
            var n = Core.Planning.Planner.NodeSpecOf(spec, id);
            var state = sample?.Standbys.FirstOrDefault(s => s.Node == id)?.State;
            return new ClusterNodeSummary(id, n.Host, n.Port, state);
        }).ToList();
        return new ClusterSummary(record.Name, record.PostgresVersion, record.State, sample?.Health, nodes, sample?.MaxLagBytes, sample?.SampledAt,
            record.LastJobId, record.UpdatedAt);
    }
}

public sealed record ClusterNodeSummary(string Id, string Host, int Port, StandbyState? State);

public sealed record HistoryResponse(string ClusterName, string Resolution, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<HistoryPoint> Points);

public sealed record HistoryPoint(DateTimeOffset At, string Node, long? ReplayLagBytes, double? ReplayDelaySeconds, StandbyState State);
