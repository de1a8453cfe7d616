using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PgPanel.Core;
using PgPanel.Core.Persistence;
using PgPanel.Core.Records;
using PgPanel.Core.Runs;
using PgPanel.Core.Security;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.Unit.Runs;

/// <summary>
/// The one step engine against a real SQLite job history: whatever an action throws fails that step with its reason
/// (recorded, announced, redacted), the engine stays usable, and the next job's step succeeds.
/// </summary>
public sealed class StepEngineTests : IAsyncLifetime
{
    private const string Password = "s3cret-Value-9";
    private readonly TestDirectory _directory = new("step-engine");
    private readonly JobEvents _events = new();
    private readonly List<JobEvent> _published = [];
    private JobStore _store = null!;
    private IDisposable _subscription = null!;

    public async Task InitializeAsync()
    {
        var options = new DbContextOptionsBuilder<PanelDbContext>().UseSqlite($"Data Source={Path.Combine(_directory.Path, "pgpanel.db")}").Options;
        await using (var db = new PanelDbContext(options))
        {
            await db.Database.MigrateAsync();
        }

        _store = new JobStore(new ContextFactory(options), TimeProvider.System, new StoreHealth(TimeProvider.System, NullLogger<StoreHealth>.Instance));
        _subscription = _events.Subscribe(e =>
        {
            lock (_published)
            {
                _published.Add(e);
            }
        });
    }

    public Task DisposeAsync()
    {
        _subscription.Dispose();
        _directory.Dispose();
        return Task.CompletedTask;
    }

    public static TheoryData<string> Faults => [.. ThrowingAction.Faults.Keys];

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task An_unexpected_exception_fails_its_step_with_the_reason_and_the_next_job_succeeds(string fault)
    {
        var engine = Engine(idleSeconds: 300);
        var (job, step) = await AddJobAsync("faulty");
        var outcome = await engine.RunAsync(job.Id, step, new ThrowingAction(fault), new Redactor([new Secret(Password)]), CancellationToken.None);

        Assert.Equal(StepStatus.Failed, outcome.Status);
        var stored = Assert.Single((await _store.GetAsync(job.Id))!.Steps);
        Assert.Equal(StepStatus.Failed, stored.Status);
        Assert.NotNull(stored.FinishedAt);
        Assert.Contains("The step could not run: boom at", stored.Output);
        Assert.DoesNotContain(Password, stored.Output);
        Assert.Contains("rescued after the failure", stored.Output);
        AssertAnnounced(job.Id, step.Index, StepStatus.Failed);

        var (next, nextStep) = await AddJobAsync("healthy");
        var fine = await engine.RunAsync(next.Id, nextStep, new ThrowingAction(null), new Redactor([]), CancellationToken.None);
        Assert.Equal(StepStatus.Changed, fine.Status);
        Assert.Equal(StepStatus.Changed, Assert.Single((await _store.GetAsync(next.Id))!.Steps).Status);
    }

    [Fact]
    public async Task An_expected_failure_keeps_its_exit_code_and_a_rescue_that_throws_is_reported_not_thrown()
    {
        var engine = Engine(idleSeconds: 300);
        var (job, step) = await AddJobAsync("expected");
        var outcome = await engine.RunAsync(job.Id, step, new ThrowingAction("expected", rescueThrows: true), new Redactor([]), CancellationToken.None);

        Assert.Equal(new StepOutcome(StepStatus.Failed, 3), outcome);
        var stored = Assert.Single((await _store.GetAsync(job.Id))!.Steps);
        Assert.Equal(3, stored.ExitCode);
        Assert.Contains("the check said no", stored.Output);
        Assert.Contains("Clean-up could not run: the clean-up broke too", stored.Output);
    }

    [Fact]
    public async Task A_cancelled_job_ends_its_step_failed_rescued_and_passes_the_cancel_on()
    {
        var engine = Engine(idleSeconds: 300);
        var (job, step) = await AddJobAsync("cancel");
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            engine.RunAsync(job.Id, step, new ThrowingAction("hang"), new Redactor([]), cts.Token));

        var stored = Assert.Single((await _store.GetAsync(job.Id))!.Steps);
        Assert.Equal(StepStatus.Failed, stored.Status);
        Assert.Equal(-1, stored.ExitCode);
        Assert.Contains("Stopped: the job was cancelled", stored.Output);
        Assert.Contains("rescued after the failure", stored.Output);
        AssertAnnounced(job.Id, step.Index, StepStatus.Failed);
    }

    [Fact]
    public async Task A_step_without_a_sign_of_life_is_stopped_by_the_idle_limit_only_when_it_asks_to_be_watched()
    {
        var engine = Engine(idleSeconds: 1);
        var (job, step) = await AddJobAsync("idle");
        var outcome = await engine.RunAsync(job.Id, step, new ThrowingAction("hang", watchIdle: true), new Redactor([]), CancellationToken.None);
        Assert.Equal(StepStatus.Failed, outcome.Status);
        Assert.Contains("No output and no progress from the test host for 1 s", Assert.Single((await _store.GetAsync(job.Id))!.Steps).Output);

        // Not watched: the same silence for 2.5 s is not stopped (a cloud call waits on the cloud's own timeouts).
        var (quiet, quietStep) = await AddJobAsync("quiet");
        var slow = await engine.RunAsync(quiet.Id, quietStep, new ThrowingAction("slow"), new Redactor([]), CancellationToken.None);
        Assert.Equal(StepStatus.Changed, slow.Status);
    }

    [Fact]
    public async Task Output_lines_are_redacted_kept_across_attempts_and_written_while_the_step_runs()
    {
        var engine = Engine(idleSeconds: 300);
        var (job, step) = await AddJobAsync("output");
        step.Output = "from the first attempt\n";
        var action = new ThrowingAction("talk");
        var running = engine.RunAsync(job.Id, step, action, new Redactor([new Secret(Password)]), CancellationToken.None);
        // The periodic write: while the action waits, the history already has its first line.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!(await _store.GetAsync(job.Id))!.Steps[0].Output.Contains("the password is", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "the running step's output was not written within 10 s");
            await Task.Delay(100);
        }

        action.Release();
        Assert.Equal(StepStatus.Changed, (await running).Status);
        var output = Assert.Single((await _store.GetAsync(job.Id))!.Steps).Output;
        Assert.StartsWith("from the first attempt\n", output);
        Assert.DoesNotContain(Password, output);
        lock (_published)
        {
            Assert.Contains(_published, e => e.JobId == job.Id && e.Kind == JobEventKind.StepOutput && e.Line!.Contains("password is"));
            Assert.DoesNotContain(_published, e => e.Line?.Contains(Password) == true);
        }
    }

    private StepEngine Engine(int idleSeconds) =>
        new(_store, _events, TimeProvider.System, Options.Create(new JobOptions { StepIdleTimeoutSeconds = idleSeconds }), NullLogger<StepEngine>.Instance);

    private async Task<(Job Job, JobStep Step)> AddJobAsync(string cluster)
    {
        var job = new Job { Id = Guid.NewGuid(), ClusterName = cluster, SpecJson = "{}", Status = JobStatus.Running };
        Assert.True(await _store.TryAddAsync(job));
        await _store.SavePlanAsync(job.Id, null, [new JobStep { Index = 0, StepId = "injected", Title = "An injected step", Node = "primary", Kind = StepKind.Change }]);
        var step = Assert.Single((await _store.GetAsync(job.Id))!.Steps);
        return (job, step);
    }

    private void AssertAnnounced(Guid jobId, int index, StepStatus status)
    {
        lock (_published)
        {
            var kinds = _published.Where(e => e.JobId == jobId && e.StepIndex == index).Select(e => e.Kind).ToList();
            Assert.Equal(JobEventKind.StepStarted, kinds[0]);
            Assert.Equal(JobEventKind.StepFinished, kinds[^1]);
            Assert.Equal(status, _published.Last(e => e.JobId == jobId && e.Kind == JobEventKind.StepFinished).StepStatus);
        }
    }

    private sealed class ContextFactory(DbContextOptions<PanelDbContext> options) : IDbContextFactory<PanelDbContext>
    {
        public PanelDbContext CreateDbContext() => new(options);
    }
}
