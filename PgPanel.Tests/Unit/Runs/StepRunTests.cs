using PgPanel.Core.Planning;
using PgPanel.Core.Records;
using PgPanel.Core.Runs;
using PgPanel.Core.Security;

namespace PgPanel.Tests.Unit.Runs;

/// <summary>What a step's run publishes: progress only grows and leaves in order, whichever threads report it.</summary>
public sealed class StepRunTests
{
    [Fact]
    public void Progress_reported_from_many_threads_at_once_is_published_in_growing_order()
    {
        for (var round = 0; round < 20; round++)
        {
            var (run, step, published) = Run();
            Parallel.For(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => run.ReportProgress(i / 4));

            lock (published)
            {
                Assert.NotEmpty(published);
                Assert.True(published.Zip(published.Skip(1)).All(p => p.First < p.Second), $"published out of order: {string.Join(",", published)}");
                Assert.Equal(99, published[^1]);
            }

            Assert.Equal(99, step.Progress);
        }
    }

    [Fact]
    public void A_lower_or_equal_percentage_is_a_sign_of_life_only()
    {
        var (run, step, published) = Run();
        run.ReportProgress(40);
        run.ReportProgress(25);
        run.ReportProgress(40);
        run.ReportProgress(250);
        run.ReportProgress(100);

        Assert.Equal([40, 100], published);
        Assert.Equal(100, step.Progress);
    }

    [Fact]
    public void A_new_attempt_reports_its_progress_from_the_start_again()
    {
        // The earlier attempt got to 60 %; the new clone starts over and its 5 % is shown.
        var step = new JobStep { StepId = "clone-standby1", Title = "Clone", Node = "standby1", Kind = StepKind.Change, Progress = 60 };
        var (run, _, published) = Run(step);
        run.ReportProgress(5);
        Assert.Equal([5], published);
        Assert.Equal(5, step.Progress);
    }

    private static (StepRun Run, JobStep Step, List<int> Published) Run(JobStep? step = null)
    {
        step ??= new JobStep { StepId = "clone-standby1", Title = "Clone", Node = "standby1", Kind = StepKind.Change };
        var events = new JobEvents();
        var published = new List<int>();
        var jobId = Guid.NewGuid();
        events.Subscribe(jobId, e =>
        {
            if (e.Kind == JobEventKind.StepProgress)
            {
                lock (published)
                {
                    published.Add(e.Progress!.Value);
                }
            }
        });
        return (new StepRun(jobId, step, StepStatus.Pending, new Redactor([]), events, TimeProvider.System), step, published);
    }
}
