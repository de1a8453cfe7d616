using System.Text.Json.Nodes;
using PgPanel.Core.Hosts;
using static PgPanel.Core.Security.ShellQuote;

namespace PgPanel.Tests.TestBed;

/// <summary>
/// The SSH test bed (scripts/testbed.sh): hosts as network namespaces with their own sshd — three Debian hosts (1–3),
/// two CentOS-7-shaped hosts with the systemd stand-in, firewalld and SELinux tools (4, 5) and two Rocky-9-shaped
/// container-like hosts without systemd (6, 7), the RPM hosts installing PostgreSQL from the test bed's PGDG-shaped
/// repository. Brought up once per test run when it is not up already, and taken down again by whoever brought it up.
/// </summary>
public sealed class Testbed : IAsyncLifetime
{
    /// <summary>The Debian hosts, 1..Hosts.</summary>
    public const int Hosts = 3;

    public const int CentOsPrimary = 4;
    public const int CentOsStandby = 5;
    public const int RockyPrimary = 6;
    public const int RockyStandby = 7;

    private static readonly (int Host, string Os, string Mode)[] RpmHosts =
        [(CentOsPrimary, "centos-7", "systemd"), (CentOsStandby, "centos-7", "systemd"), (RockyPrimary, "rocky-9", "plain"), (RockyStandby, "rocky-9", "plain")];
    private bool _broughtUp;
    private Dictionary<string, string> _env = new(StringComparer.Ordinal);

    public string Directory => _env["PGPANEL_TESTBED_DIR"];

    public string NonRootUser => _env["PGPANEL_TESTBED_USER"];

    public string NonRootPassword => File.ReadAllText(Path.Combine(Directory, $"{NonRootUser}.password")).Trim();

    public string Ed25519Key => File.ReadAllText(Path.Combine(Directory, "id_ed25519"));

    public string RsaPemKey => File.ReadAllText(Path.Combine(Directory, "id_rsa_pem"));

    public string PassphraseKey => File.ReadAllText(Path.Combine(Directory, "id_ed25519_passphrase"));

    public const string Passphrase = "testbed-passphrase";

    public string Host(int i) => _env[$"PGPANEL_TESTBED_HOST{i}"];

    public async Task<string> FingerprintAsync(int i)
    {
        await ReadEnvAsync();
        return _env[$"PGPANEL_TESTBED_FINGERPRINT{i}"];
    }

    public async Task InitializeAsync()
    {
        if (!LocalPostgres.IsRoot)
        {
            throw new InvalidOperationException("The SSH test bed needs root (network namespaces); run the tests as root, as CI does.");
        }

        // "up" is idempotent (hosts that run are kept) and remakes hosts whose processes are gone — a state directory
        // left by a reboot or copied with a disk is not a test bed. Whoever found no running test bed takes it down.
        var status = await ScriptAsync("status", check: false);
        await ScriptAsync($"up {Hosts}");
        _broughtUp = !status.Succeeded;

        await ReadEnvAsync();
        foreach (var (host, os, mode) in RpmHosts)
        {
            if (_env.GetValueOrDefault($"PGPANEL_TESTBED_KIND{host}") != $"rpm:{os}:{mode}")
            {
                await ScriptAsync($"up-rpm {host} {os} {mode}");
                _broughtUp = true;
            }
        }

        await ReadEnvAsync();
    }

    /// <summary>The base URL of the test bed's PGDG-shaped package mirror (served on the bridge, reachable from every host).</summary>
    public string RepositoryUrl => _env["PGPANEL_TESTBED_REPO"] + "/pgdg";

    /// <summary>The test bed's (empty) mirror of an EL release's own repositories, laid out as the CentOS vault or Rocky's mirrors.</summary>
    public string OsMirrorUrl(int el) => $"{_env["PGPANEL_TESTBED_REPO"]}/os/{el}";

    public async Task DisposeAsync()
    {
        if (_broughtUp)
        {
            await ScriptAsync("down", check: false);
        }
    }

    /// <summary>Stops PostgreSQL on host i and empties its data and config directories.</summary>
    public Task ResetAsync(int i) => ScriptAsync($"reset {i}");

    public Task StopSshdAsync(int i) => ScriptAsync($"stop-sshd {i}");

    public Task StartSshdAsync(int i) => ScriptAsync($"start-sshd {i}");

    public Task RekeyAsync(int i) => ScriptAsync($"rekey {i}");

    /// <summary>Runs a command inside host i as root (not over SSH: the test's own view of the host).</summary>
    public async Task<string> ExecAsync(int i, string script)
    {
        var result = await ScriptAsync($"exec {i} bash -c {Quote(script)}");
        return result.Output.Trim();
    }

    /// <summary>psql as postgres on host i, over its Unix socket (on an RPM host, the psql of PGDG's newest installed version).</summary>
    public Task<string> QueryAsync(int i, string sql, int port = 5432) =>
        ExecAsync(i, $"psql=$(ls -d /usr/pgsql-*/bin/psql 2>/dev/null | sort -V | tail -n 1); psql=${{psql:-psql}}; " +
                     $"runuser -u postgres -- \"$psql\" -X -q -At -v ON_ERROR_STOP=1 -h /var/run/postgresql -p {port} -d postgres -c {Quote(sql)}");

    public JsonObject RootConnection(string? key = null) => new()
    {
        ["kind"] = "ssh", ["port"] = 22, ["user"] = "root", ["privateKey"] = key ?? Ed25519Key,
    };

    public JsonObject NonRootConnection(string? password = null) => new()
    {
        ["kind"] = "ssh", ["port"] = 22, ["user"] = NonRootUser, ["password"] = password ?? NonRootPassword,
    };

    /// <summary>A spec with the primary on host p and standbys on the given hosts, reached with <paramref name="connection"/>.</summary>
    public JsonObject Spec(string name, int primary, int[] standbys, Func<JsonObject> connection) => new()
    {
        ["name"] = name,
        ["postgresVersion"] = 15,
        ["primary"] = new JsonObject { ["host"] = Host(primary), ["port"] = 5432, ["connection"] = connection() },
        ["standbys"] = new JsonArray(standbys.Select(s => (JsonNode)new JsonObject { ["host"] = Host(s), ["port"] = 5432, ["connection"] = connection() }).ToArray()),
        ["replication"] = new JsonObject { ["user"] = "replica", ["useSlots"] = true },
    };

    public SshTarget RootTarget(int i) => new() { Host = Host(i), User = "root", PrivateKey = new PgPanel.Core.Security.Secret(Ed25519Key) };

    private async Task ReadEnvAsync()
    {
        var text = await File.ReadAllTextAsync("/var/tmp/pgpanel-testbed/hosts.env");
        _env = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
    }

    private static async Task<ShellResult> ScriptAsync(string arguments, bool check = true)
    {
        var result = await LocalShell.RunOnceAsync(new ShellCommand($"bash {Quote(ScriptPath())} {arguments}"));
        if (check && !result.Succeeded)
        {
            throw new InvalidOperationException($"testbed.sh {arguments} failed ({result.ExitCode}): {result.Output}");
        }

        return result;
    }

    private static string ScriptPath()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "scripts", "testbed.sh")))
        {
            dir = dir.Parent;
        }

        return dir is null ? throw new FileNotFoundException("scripts/testbed.sh not found above the test binaries") : Path.Combine(dir.FullName, "scripts", "testbed.sh");
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TestbedCollection : ICollectionFixture<Testbed>
{
    public const string Name = "ssh test bed";
}
