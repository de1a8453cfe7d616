using System.Diagnostics;
using PgPanel.Core.Hosts;
using PgPanel.Core.Security;
using PgPanel.Core.Specs;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.Integration.Ssh;

/// <summary>SSH.NET against the test bed's real sshd: keys, passwords, sudo, host keys, secrets and cancellation.</summary>
[Collection(TestbedCollection.Name)]
public sealed class SshShellTests(Testbed bed)
{
    [Fact]
    public async Task Root_logs_in_with_an_ed25519_key_and_runs_as_postgres_through_runuser()
    {
        await using var shell = await SshShell.ConnectAsync(bed.RootTarget(1));
        Assert.Equal(PrivilegeMode.Root, shell.Mode);
        Assert.Equal(await bed.FingerprintAsync(1), shell.HostKeyFingerprint);
        Assert.Equal("pgp-h1 0", (await shell.RunAsync(new ShellCommand("echo \"$(hostname) $(id -u)\""))).LastLine);
        Assert.Equal("postgres", (await shell.RunAsync(new ShellCommand("id -un", "postgres"))).LastLine);
    }

    [Fact]
    public async Task An_rsa_pem_key_and_a_passphrase_protected_key_work_and_a_wrong_passphrase_is_a_clear_error()
    {
        await using (var rsa = await SshShell.ConnectAsync(bed.RootTarget(1) with { PrivateKey = new Secret(bed.RsaPemKey) }))
        {
            Assert.Equal("0", (await rsa.RunAsync(new ShellCommand("id -u"))).LastLine);
        }

        await using (var withPassphrase = await SshShell.ConnectAsync(bed.RootTarget(1) with { PrivateKey = new Secret(bed.PassphraseKey), Passphrase = new Secret(Testbed.Passphrase) }))
        {
            Assert.Equal("0", (await withPassphrase.RunAsync(new ShellCommand("id -u"))).LastLine);
        }

        var wrong = await Assert.ThrowsAsync<SshConnectException>(() =>
            SshShell.ConnectAsync(bed.RootTarget(1) with { PrivateKey = new Secret(bed.PassphraseKey), Passphrase = new Secret("not-it") }));
        Assert.Contains("cannot be read", wrong.Message);
    }

    [Fact]
    public async Task A_non_root_user_with_a_password_becomes_root_through_sudo_with_the_password_on_stdin()
    {
        var target = new SshTarget { Host = bed.Host(2), User = bed.NonRootUser, Password = new Secret(bed.NonRootPassword) };
        await using var shell = await SshShell.ConnectAsync(target);
        Assert.Equal(PrivilegeMode.SudoWithPassword, shell.Mode);
        Assert.Equal(bed.NonRootUser, (await shell.RunAsync(new ShellCommand("id -un"))).LastLine);
        Assert.Equal("root", (await shell.RunAsync(new ShellCommand("id -un", "root"))).LastLine);
        Assert.Equal("postgres", (await shell.RunAsync(new ShellCommand("id -un", "postgres"))).LastLine);

        // The password is never on a command line the host can see.
        var run = shell.RunAsync(new ShellCommand("sleep 2; echo done", "root"));
        await Task.Delay(700);
        var commandLines = await bed.ExecAsync(2, "cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' '");
        Assert.Contains("sudo -S", commandLines);
        Assert.DoesNotContain(bed.NonRootPassword, commandLines);
        Assert.Equal("done", (await run).LastLine);
    }

    [Fact]
    public async Task Wrong_password_is_refused_with_the_reason()
    {
        var target = new SshTarget { Host = bed.Host(2), User = bed.NonRootUser, Password = new Secret("definitely-wrong-pw") };
        var error = await Assert.ThrowsAsync<SshConnectException>(() => SshShell.ConnectAsync(target));
        Assert.Contains("refused the credentials", error.Message);
        Assert.DoesNotContain("definitely-wrong-pw", error.Message);
    }

    [Fact]
    public async Task A_host_key_other_than_the_pinned_one_is_refused_before_authentication_and_named()
    {
        var pinned = "SHA256:" + new string('A', 43);
        var error = await Assert.ThrowsAsync<SshConnectException>(() => SshShell.ConnectAsync(bed.RootTarget(1) with { HostKeyFingerprint = pinned }));
        Assert.Contains(await bed.FingerprintAsync(1), error.Message);
        Assert.Contains(pinned, error.Message);
        Assert.Equal(await bed.FingerprintAsync(1), error.PresentedFingerprint);
    }

    [Fact]
    public async Task Secrets_travel_on_stdin_and_never_appear_in_the_hosts_process_list()
    {
        const string secret = "Remote-Env-Secret-991";
        await using var shell = await SshShell.ConnectAsync(bed.RootTarget(3));
        var run = shell.RunAsync(new ShellCommand("sleep 2; printf '%s' \"$PGPANEL_S\"", "postgres", new Dictionary<string, string> { ["PGPANEL_S"] = secret }));
        await Task.Delay(700);
        var commandLines = await bed.ExecAsync(3, "cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' '");
        Assert.Contains("sleep 2", commandLines);
        Assert.DoesNotContain(secret, commandLines);
        Assert.Equal(secret, (await run).LastLine);
    }

    [Fact]
    public async Task Standard_input_exit_codes_and_streamed_lines_come_through()
    {
        await using var shell = await SshShell.ConnectAsync(bed.RootTarget(3));
        var lines = new List<string>();
        var result = await shell.RunAsync(new ShellCommand("cat; printf '10%%\\r20%%\\n' >&2; exit 7", StandardInput: "line one\nline 'two' $(x)\n"), lines.Add);
        Assert.Equal(7, result.ExitCode);
        // Standard output and standard error are two channels: each keeps its order, their interleaving is the network's.
        Assert.Equal(["10%", "20%", "line 'two' $(x)", "line one"], lines.Order(StringComparer.Ordinal));
        Assert.True(lines.IndexOf("line one") < lines.IndexOf("line 'two' $(x)"), string.Join(" | ", lines));
        Assert.True(lines.IndexOf("10%") < lines.IndexOf("20%"), string.Join(" | ", lines));
    }

    [Fact]
    public async Task Cancelling_ends_the_remote_command()
    {
        var marker = $"/tmp/pgpanel-ssh-cancel-{Guid.NewGuid():N}";
        await using var shell = await SshShell.ConnectAsync(bed.RootTarget(3));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(800));
        var stopwatch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => shell.RunAsync(new ShellCommand($"sleep 4; touch {marker}", "postgres"), cancellationToken: cts.Token));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(3.5));
        await Task.Delay(4500 - (int)stopwatch.ElapsedMilliseconds);
        Assert.Equal("absent", await bed.ExecAsync(3, $"test -e {marker} && echo present || echo absent"));
    }

    [Fact]
    public async Task A_host_whose_sshd_is_down_is_unreachable_with_the_reason()
    {
        await bed.StopSshdAsync(3);
        try
        {
            var error = await Assert.ThrowsAsync<SshConnectException>(() => SshShell.ConnectAsync(bed.RootTarget(3)));
            Assert.Contains($"Cannot reach {bed.Host(3)}:22", error.Message);
        }
        finally
        {
            await bed.StartSshdAsync(3);
        }
    }

    [Fact]
    public async Task Probing_over_ssh_reads_the_hosts_facts()
    {
        await using var shell = await SshShell.ConnectAsync(bed.RootTarget(2));
        var facts = await HostProbe.ProbeAsync(shell, ports: [22, 6124]);
        Assert.Equal("debian-12", facts.Os.ToString());
        Assert.Equal("10.77.77.1", facts.PanelAddress);
        Assert.Equal([22], facts.TakenPorts);
        Assert.True(facts.CanBecomeRoot);
        Assert.False(facts.HasSystemd);
        Assert.Contains(facts.PostgresBinDirectories, kv => kv.Key == PgVersion.Of(15));
    }
}
