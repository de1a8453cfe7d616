using PgPanel.Core.Hosts;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.Integration.Shell;

/// <summary>docker-compose.yml is validated with Debian's docker-compose (there is no Docker engine here to run it).</summary>
[Collection(SerialCollection.Name)]
public sealed class ComposeFileTests
{
    [Fact]
    public async Task The_compose_file_is_valid_and_has_the_panel_and_two_ssh_hosts()
    {
        var root = RepositoryRoot();
        var result = await LocalShell.RunOnceAsync(new ShellCommand(
            $"cd '{root}' && command -v docker-compose >/dev/null || {{ echo 'docker-compose is not installed (apt-get install docker-compose)'; exit 3; }}\n" +
            "PGPANEL_API_TOKEN=validation-only docker-compose -f docker-compose.yml config"));
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("panel:", result.Output);
        Assert.Contains("host-a:", result.Output);
        Assert.Contains("host-b:", result.Output);
        Assert.Contains("ipv4_address: 172.28.5.11", result.Output);
        Assert.Contains("127.0.0.1", result.Output);

        var withoutToken = await LocalShell.RunOnceAsync(new ShellCommand($"cd '{root}' && env -u PGPANEL_API_TOKEN docker-compose -f docker-compose.yml config -q"));
        Assert.NotEqual(0, withoutToken.ExitCode);
        Assert.Contains("set PGPANEL_API_TOKEN", withoutToken.Output);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "docker-compose.yml")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new FileNotFoundException("docker-compose.yml not found above the test binaries");
    }
}
