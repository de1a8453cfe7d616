using Bunit;
using Microsoft.AspNetCore.Components;
using PgPanel.Core.Records;
using PgPanel.Core.Runs;
using PgPanel.Web.Components.Pages.Runs;

namespace PgPanel.Tests.Components;

public sealed class RunViewTests : PanelComponentTest
{
    [Fact]
    public async Task A_step_update_re_renders_its_row_and_output_lines_stream_in()
    {
        var store = Core<JobStore>();
        var job = new Job { Id = Guid.NewGuid(), ClusterName = "demo", Status = JobStatus.Running, SpecJson = "{}", CreatedAt = DateTimeOffset.UtcNow, StartedAt = DateTimeOffset.UtcNow };
        await store.TryAddAsync(job);
        var step = new JobStep { Index = 1, StepId = "clone-standby1", Title = "Clone the primary", Node = "standby1", Kind = StepKind.Change, Status = StepStatus.Running };
        await store.SavePlanAsync(job.Id, null, [step]);

        var cut = Context.Render<RunView>(p => p.Add(c => c.Id, job.Id));
        cut.WaitForAssertion(() => Assert.Contains("data-status=\"running\"", cut.Markup));

        var events = Core<JobEvents>();
        events.Publish(job.Id, JobEventKind.StepOutput, 1, line: "22951/22951 kB (48%), 0/1 tablespace");
        events.Publish(job.Id, JobEventKind.StepProgress, 1, progress: 48);
        cut.WaitForAssertion(() => Assert.Contains("(48%)", cut.Find("[data-testid=log-tail]").TextContent));
        cut.WaitForAssertion(() => Assert.Contains("Base backup 48 %", cut.Markup));

        step.Status = StepStatus.Changed;
        step.FinishedAt = DateTimeOffset.UtcNow;
        step.ExitCode = 0;
        await store.SaveStepAsync(step);
        events.Publish(job.Id, JobEventKind.StepFinished, 1, StepStatus.Changed);
        cut.WaitForAssertion(() => Assert.Contains("data-status=\"changed\"", cut.Find("[data-testid=step-clone-standby1]").OuterHtml), TimeSpan.FromSeconds(5));
        Assert.DoesNotContain("data-status=\"running\"", cut.Find("[data-testid=step-clone-standby1]").OuterHtml);
        Assert.Empty(cut.FindAll("[data-testid=log-tail]"));
    }
}
