using PgPanel.Core.Monitoring;
using PgPanel.Core.Records;
using PgPanel.Core.Runs;

namespace PgPanel.Tests.Unit.Monitoring;

/// <summary>Live events run subscribers on the publisher's thread: one that throws must not stop the job, the monitor or the others.</summary>
public sealed class EventIsolationTests
{
    [Fact]
    public void A_throwing_job_subscriber_is_isolated_and_a_job_subscription_sees_only_its_job()
    {
        var events = new JobEvents();
        var (mine, other) = (Guid.NewGuid(), Guid.NewGuid());
        var everything = new List<Guid>();
        var onlyMine = new List<Guid>();
        using var broken = events.Subscribe(_ => throw new InvalidOperationException("a page's bug"));
        using var all = events.Subscribe(e => everything.Add(e.JobId));
        using var one = events.Subscribe(mine, e => onlyMine.Add(e.JobId));

        events.Publish(mine, JobEventKind.StepOutput, 0, line: "a");
        events.Publish(other, JobEventKind.StepOutput, 0, line: "b");
        events.Publish(mine, JobEventKind.JobStatusChanged, jobStatus: JobStatus.Succeeded);

        Assert.Equal([mine, other, mine], everything);
        Assert.Equal([mine, mine], onlyMine);
    }

    [Fact]
    public void A_throwing_monitor_subscriber_is_isolated_and_a_cluster_subscription_sees_only_its_cluster()
    {
        var events = new MonitorEvents();
        var seen = new List<string>();
        var alerts = new List<string>();
        using var broken = events.Subscribe(onSample: _ => throw new InvalidOperationException("an exporter's bug"), onAlert: _ => throw new InvalidOperationException("x"));
        using var one = events.Subscribe(onSample: s => seen.Add(s.ClusterName), onAlert: a => alerts.Add(a.ClusterName), clusterName: "alpha");

        events.Publish(Sample("alpha"));
        events.Publish(Sample("beta"));
        events.Publish(new AlertEvent { ClusterName = "beta", Node = "standby1", Rule = "down", Kind = "raised", Message = "down" });
        events.Publish(new AlertEvent { ClusterName = "alpha", Node = "standby1", Rule = "down", Kind = "raised", Message = "down" });

        Assert.Equal(["alpha"], seen);
        Assert.Equal(["alpha"], alerts);
    }

    private static ClusterSample Sample(string cluster) => new(
        cluster, DateTimeOffset.UtcNow, ClusterHealth.Healthy,
        new PrimarySample("primary", "127.0.0.1", 5432, true, false, "0/3000000", [], [], [], 1, null), [], []);
}
