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
        var result = await LocalShell.RunOnceAsync(new ShellCommand($"printf '%s' {ShellQuote.Quote(value)}"));
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(value.Replace("\r", "", StringComparison.Ordinal), result.Output.TrimEnd('\n'));
        Assert.False(File.Exists("/tmp/pgpanel-pwned"));
    }

    [Fact]
    public async Task Secrets_travel_in_the_environment_not_in_the_process_arguments()
    {
        const string secret = "Env-Only-Secret-4242";
        await using var shell = new LocalShell();
        var run = shell.RunAsync(new ShellCommand("sleep 2; printf '%s' \"$PGPANEL_TEST_SECRET\"", LocalPostgres.IsRoot ? "postgres" : null,
            new Dictionary<string, string> { ["PGPANEL_TEST_SECRET"] = secret }));
        await Task.Delay(500);
        var commandLines = Directory.EnumerateDirectories("/proc").Select(d => d + "/cmdline").Where(File.Exists)
            .Select(f => { try { return File.ReadAllText(f); } catch (IOException) { return ""; } }).ToList();
        Assert.Contains(commandLines, c => c.Contains("sleep\02", StringComparison.Ordinal));
        Assert.DoesNotContain(commandLines, c => c.Contains(secret, StringComparison.Ordinal));
        Assert.Equal(secret, (await run).Output.Trim());
    }

    [Fact]
    public async Task Commands_of_one_shell_share_one_bash_but_no_state()
    {
        await using var shell = new LocalShell();
        var first = await shell.RunAsync(new ShellCommand("x=1; export Y=2; cd /tmp; f() { :; }; trap 'echo trapped' EXIT; echo \"$$\""));
        Assert.Equal(0, first.ExitCode);
        var lines = first.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("trapped", lines[^1]);
        var second = await shell.RunAsync(new ShellCommand("echo \"$$ ${x:-unset} ${Y:-unset} $PWD $(type -t f || echo none)\""));
        Assert.Equal($"{lines[0]} unset unset / none", second.Output.Trim());
    }

    [Fact]
    public async Task A_failing_command_gives_its_exit_code_and_the_next_one_runs_in_the_same_bash()
    {
        await using var shell = new LocalShell();
        var pid = (await shell.RunAsync(new ShellCommand("echo $$"))).Output.Trim();
        Assert.Equal(3, (await shell.RunAsync(new ShellCommand("echo before; exit 3"))).ExitCode);
        Assert.NotEqual(0, (await shell.RunAsync(new ShellCommand("echo \"$UNSET_VARIABLE_FOR_NOUNSET\""))).ExitCode);
        Assert.Equal(1, (await shell.RunAsync(new ShellCommand("false | true"))).ExitCode);
        var after = await shell.RunAsync(new ShellCommand("echo $$"));
        Assert.Equal((0, pid), (after.ExitCode, after.Output.Trim()));
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task Standard_input_and_environment_reach_the_command_unchanged(string value)
    {
        await using var shell = new LocalShell();
        var viaInput = await shell.RunAsync(new ShellCommand("cat", StandardInput: value + "\nlast line without newline"));
        Assert.Equal(0, viaInput.ExitCode);
        Assert.Equal((value + "\nlast line without newline\n").Replace("\r", "\n", StringComparison.Ordinal).Split('\n', StringSplitOptions.RemoveEmptyEntries),
            viaInput.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var viaEnvironment = await shell.RunAsync(new ShellCommand("printf '%s' \"$PGPANEL_TEST_VALUE\" | sha256sum",
            Environment: new Dictionary<string, string> { ["PGPANEL_TEST_VALUE"] = value }));
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(value)));
        Assert.StartsWith(expected, viaEnvironment.Output, StringComparison.Ordinal);
        Assert.False(File.Exists("/tmp/pgpanel-pwned"));
    }

    [Fact]
    public async Task Output_left_without_a_newline_is_a_line_of_its_own()
    {
        await using var shell = new LocalShell();
        var lines = new List<string>();
        var result = await shell.RunAsync(new ShellCommand("printf 'no newline'"), lines.Add);
        Assert.Equal(["no newline"], lines);
        Assert.Equal("no newline\n", result.Output);
        Assert.Equal("ok\n", (await shell.RunAsync(new ShellCommand("echo ok"))).Output);
    }

    [Fact]
    public async Task Two_commands_at_once_on_one_shell_both_run()
    {
        await using var shell = new LocalShell();
        var results = await Task.WhenAll(
            shell.RunAsync(new ShellCommand("sleep 0.5; echo one")),
            shell.RunAsync(new ShellCommand("sleep 0.5; echo two")));
        Assert.Equal(["one", "two"], results.Select(r => r.Output.Trim()));
        Assert.All(results, r => Assert.Equal(0, r.ExitCode));
    }

    [Fact]
    public async Task After_a_cancelled_command_the_shell_runs_the_next_one()
    {
        await using var shell = new LocalShell();
        var before = (await shell.RunAsync(new ShellCommand("echo $$"))).Output.Trim();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => shell.RunAsync(new ShellCommand("sleep 5"), cancellationToken: cts.Token));
        Assert.False(Directory.Exists($"/proc/{before}"), "the cancelled command's bash is still running");
        var after = await shell.RunAsync(new ShellCommand("echo $$"));
        Assert.Equal(0, after.ExitCode);
        Assert.NotEqual(before, after.Output.Trim());
    }

    [Fact]
    public async Task Commands_as_another_user_run_as_that_user_in_one_bash()
    {
        // As root (CI) the owner is postgres, reached through runuser; otherwise the panel's own user.
        await using var shell = new LocalShell();
        var first = await shell.RunAsync(new ShellCommand("echo \"$(id -un) $$\"", LocalPostgres.Owner));
        var second = await shell.RunAsync(new ShellCommand("echo \"$(id -un) $$\"", LocalPostgres.Owner));
        var own = await shell.RunAsync(new ShellCommand("id -un"));
        Assert.StartsWith(LocalPostgres.Owner + " ", first.Output, StringComparison.Ordinal);
        Assert.Equal(first.Output, second.Output);
        Assert.Equal(Environment.UserName, own.Output.Trim());
    }

    [Fact]
    public async Task A_command_sees_nothing_of_the_session_s_protocol_and_its_clock_starts_with_it()
    {
        await using var shell = new LocalShell();
        await shell.RunAsync(new ShellCommand("true"));
        await Task.Delay(1100);
        var result = await shell.RunAsync(new ShellCommand("echo \"${__pgpanel_mark:-unset} ${__pgpanel_script:-unset} ${__pgpanel_in:-unset} $SECONDS\""));
        Assert.Equal("unset unset unset 0", result.Output.Trim());
    }

    [Fact]
    public async Task A_command_that_ends_its_session_fails_like_a_killed_process_and_the_next_one_runs()
    {
        await using var shell = new LocalShell();
        var killed = await shell.RunAsync(new ShellCommand("echo before; kill $$"));
        Assert.NotEqual(0, killed.ExitCode);
        Assert.Contains("before", killed.Output, StringComparison.Ordinal);
        var next = await shell.RunAsync(new ShellCommand("echo after"));
        Assert.Equal((0, "after"), (next.ExitCode, next.Output.Trim()));
    }

    [Fact]
    public async Task A_user_that_does_not_exist_is_an_exit_code_with_runuser_s_reason()
    {
        await using var shell = new LocalShell();
        if (!LocalPostgres.IsRoot)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => shell.RunAsync(new ShellCommand("true", "pgpanel-no-such-user")));
            return;
        }

        var result = await shell.RunAsync(new ShellCommand("true", "pgpanel-no-such-user"));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("pgpanel-no-such-user", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Output_streams_line_by_line_and_carriage_returns_end_lines()
    {
        var lines = new List<string>();
        var result = await LocalShell.RunOnceAsync(new ShellCommand("printf '10%%\\r50%%\\r100%%\\n'; echo done >&2"), lines.Add);
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
            LocalShell.RunOnceAsync(new ShellCommand($"sleep 5; touch {marker}"), cancellationToken: cts.Token));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(4), $"cancellation took {stopwatch.Elapsed}");
        await Task.Delay(5500 - (int)stopwatch.ElapsedMilliseconds);
        Assert.False(File.Exists(marker), "the cancelled script went on running");
    }

    [Fact]
    public async Task Scripts_run_with_errexit_so_a_failing_line_stops_them()
    {
        var result = await LocalShell.RunOnceAsync(new ShellCommand("false\necho unreachable"));
        Assert.NotEqual(0, result.ExitCode);
        Assert.DoesNotContain("unreachable", result.Output);
    }

    [Fact]
    public async Task This_machine_is_probed_for_real()
    {
        await using var shell = new LocalShell();
        var facts = await HostProbe.ProbeAsync(shell, "/tmp");
        Assert.Equal(OsFamily.Debian, facts.Os.Family);
        Assert.Contains(facts.PostgresBinDirectories, kv => kv.Key == PgVersion.Of(15));
        Assert.Equal(LocalPostgres.IsRoot, facts.CanBecomeRoot);
        Assert.True(facts.FreeBytes > 0);
    }
}
