using System.Diagnostics;
using PgPanel.Core.Hosts;
using PgPanel.Core.Security;
using PgPanel.Core.Specs;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.Integration.Shell;

/// <summary>The local shell with real bash: quoting round trips, secrets out of argv, streaming, cancellation.</summary>
[Collection(SerialCollection.Name)]
public sealed class LocalShellTests
{
    public static TheoryData<string> Hostile() =>
    [
        "it's", "a\"b", "$(touch /tmp/pgpanel-pwned)", "`touch /tmp/pgpanel-pwned`", "; touch /tmp/pgpanel-pwned", "| id", "& id &",
        "line\nbreak", "back\\slash", "-rf", "%s%n", "../../etc/passwd", "ｓｅｌｅｃｔ", "'; DROP TABLE x; --", "*", "~", "$HOME", "!!", "{a,b}",
        new string('x', 5000),
    ];

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task A_quoted_word_reaches_the_command_unchanged_and_runs_nothing(string value)
    {
        var result = await new LocalShell().RunAsync(new ShellCommand($"printf '%s' {ShellQuote.Quote(value)}"));
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(value.Replace("\r", "", StringComparison.Ordinal), result.Output.TrimEnd('\n'));
        Assert.False(File.Exists("/tmp/pgpanel-pwned"));
    }

    [Fact]
    public async Task Secrets_travel_in_the_environment_not_in_the_process_arguments()
    {
        const string secret = "Env-Only-Secret-4242";
        var shell = new LocalShell();
        var run = shell.RunAsync(new ShellCommand("sleep 2; printf '%s' \"$PGPANEL_TEST_SECRET\"", LocalPostgres.IsRoot ? "postgres" : null,
            new Dictionary<string, string> { ["PGPANEL_TEST_SECRET"] = secret }));
        await Task.Delay(500);
        var commandLines = Directory.EnumerateDirectories("/proc").Select(d => d + "/cmdline").Where(File.Exists)
            .Select(f => { try { return File.ReadAllText(f); } catch (IOException) { return ""; } }).ToList();
        Assert.Contains(commandLines, c => c.Contains("sleep 2", StringComparison.Ordinal));
        Assert.DoesNotContain(commandLines, c => c.Contains(secret, StringComparison.Ordinal));
        Assert.Equal(secret, (await run).Output.Trim());
    }

    [Fact]
    public async Task Output_streams_line_by_line_and_carriage_returns_end_lines()
    {
        var lines = new List<string>();
        var result = await new LocalShell().RunAsync(new ShellCommand("printf '10%%\\r50%%\\r100%%\\n'; echo done >&2"), lines.Add);
        Assert.Equal(["10%", "50%", "100%", "done"], lines);
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task Cancelling_ends_the_running_command_and_its_children()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var marker = $"/tmp/pgpanel-cancel-{Guid.NewGuid():N}";
        var stopwatch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new LocalShell().RunAsync(new ShellCommand($"sleep 5; touch {marker}"), cancellationToken: cts.Token));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(4), $"cancellation took {stopwatch.Elapsed}");
        await Task.Delay(5500 - (int)stopwatch.ElapsedMilliseconds);
        Assert.False(File.Exists(marker), "the cancelled script went on running");
    }

    [Fact]
    public async Task Scripts_run_with_errexit_so_a_failing_line_stops_them()
    {
        var result = await new LocalShell().RunAsync(new ShellCommand("false\necho unreachable"));
        Assert.NotEqual(0, result.ExitCode);
        Assert.DoesNotContain("unreachable", result.Output);
    }

    [Fact]
    public async Task This_machine_is_probed_for_real()
    {
        var facts = await HostProbe.ProbeAsync(new LocalShell(), "/tmp");
        Assert.Equal(OsFamily.Debian, facts.Os.Family);
        Assert.Contains(facts.PostgresBinDirectories, kv => kv.Key == PgVersion.Of(15));
        Assert.Equal(LocalPostgres.IsRoot, facts.CanBecomeRoot);
        Assert.True(facts.FreeBytes > 0);
    }
}
