using PgPanel.Core.Records;
using PgPanel.Core.Specs;
using static PgPanel.Core.Planning.StepPrivileges;
using static PgPanel.Core.Security.ShellQuote;

namespace PgPanel.Core.Planning;

/// <summary>
/// The steps every server gets, primary and standby alike, called by <see cref="PrimaryPhase"/> and
/// <see cref="StandbyPhase"/>: create a (data or parent) directory, the systemd drop-in for a non-default PGDG data
/// directory (<c>unit-datadir-*</c>), the include line in postgresql.conf (<c>include-*</c>), pg_hba.conf
/// (<c>hba-*</c>), the restart and reload handlers, and the start (<c>start-*</c>). Differences are per layout
/// (<see cref="PostgresLayout"/>: Debian cluster, PGDG service, self-contained), not per PostgreSQL version.
/// </summary>
internal static class ServerSteps
{
    internal static PlanStep CreateDirectory(PlanNode node, string directory)
    {
        var l = node.Layout;
        var parent = l.ParentDirectory;
        var owner = l.OsUser;
        var apply = owner is null
            ? $"mkdir -p -m 0700 {Quote(directory)}"
            : $"""
               if [ ! -d {Quote(parent)} ]; then install -d -o {owner} -g {owner} -m 0750 {Quote(parent)}; fi
               install -d -o {owner} -g {owner} -m 0700 {Quote(directory)}
               """;
        var check = owner is null
            ? $"test -d {Quote(directory)} && test -d {Quote(parent)} -a -w {Quote(parent)}"
            : $"test -d {Quote(directory)} && test \"$(stat -c %U {Quote(directory)})\" = {owner}";
        return new PlanStep
        {
            Id = $"directory-{node.Id}",
            Title = $"Create the data directory {directory}",
            Node = node.Id,
            Description = owner is null ? null : $"Owned by {owner}, mode 0700; its parent must be reachable by {owner}.",
            Check = new PlanCommand(node.Id, check, Root(node)),
            Apply = [new PlanCommand(node.Id,
                apply + (owner is null ? "" : $"\nrunuser -u {owner} -- test -x {Quote(parent)} || {{ echo \"{owner} cannot reach {parent}: give the parent directories o+x or set another data directory.\" >&2; exit 3; }}"),
                Root(node))],
        };
    }

    /// <summary>
    /// A PGDG unit whose data directory is not the package's: a drop-in that sets PGDATA (as PGDG's unit file asks, rather
    /// than editing it), then daemon-reload, before postgresql-NN-setup or a start reads it.
    /// </summary>
    internal static PlanStep UnitDataDirectory(PlanNode node)
    {
        var l = node.Layout;
        var dropIn = $"/etc/systemd/system/{l.ServiceName}.service.d/pgpanel-datadir.conf";
        return new PlanStep
        {
            Id = $"unit-datadir-{node.Id}",
            Title = $"systemd: {l.ServiceName} serves {l.DataDirectory} (drop-in)",
            Node = node.Id,
            Description = "The unit keeps the package's defaults; a drop-in sets PGDATA, and systemd reloads its units.",
            Check = new PlanCommand(node.Id, $"systemctl show -p Environment {Quote(l.ServiceName)} | tr ' ' '\\n' | grep -qxF {Quote("PGDATA=" + l.DataDirectory)} || exit 1", "root"),
            Files = [new PlanFile(node.Id, dropIn, $"# Written by PgPanel: this node's data directory.\n[Service]\nEnvironment=PGDATA={l.DataDirectory}\n", "0644", "root") { CreateParent = true }],
            Apply = [new PlanCommand(node.Id, "systemctl daemon-reload", "root")],
        };
    }

    internal static bool NeedsUnitDataDirectory(PostgresLayout l) => l.Kind == LayoutKind.RedHatService && l.UseSystemd && !l.HasDefaultDataDirectory;

    internal static PlanStep IncludeSettings(ClusterSpec spec, PlanNode node, string restart)
    {
        var l = node.Layout;
        var line = l.Kind == LayoutKind.DebianCluster ? "include_dir = 'conf.d'" : "include_if_exists = 'pgpanel.conf'";
        var conf = Quote(l.MainConfigFile);
        return new PlanStep
        {
            Id = $"include-{node.Id}",
            Title = $"postgresql.conf includes PgPanel's settings ({line})",
            Node = node.Id,
            Description = "The distribution's postgresql.conf stays as it is; one include line at its end brings in PgPanel's file.",
            Check = new PlanCommand(node.Id, $"grep -qxF {Quote(line)} {conf}", l.OsUser),
            Apply = [new PlanCommand(node.Id, $"printf '\\n# Added by PgPanel for cluster %s\\n%s\\n' {Quote(spec.Name)} {Quote(line)} >> {conf}", l.OsUser)],
            Notifies = [restart],
        };
    }

    internal static PlanStep Hba(PlanNode node, string hba, string reload) => new()
    {
        Id = $"hba-{node.Id}",
        Title = "Write pg_hba.conf: replication only from the cluster's nodes",
        Node = node.Id,
        Files = [new PlanFile(node.Id, node.Layout.HbaFile, hba, "0640", node.Layout.OsUser)],
        Notifies = [reload],
    };

    internal static PlanStep Handler(PlanNode node, string id, string title, string command, IReadOnlyList<string> triggers)
    {
        var l = node.Layout;
        return new PlanStep
        {
            Id = id,
            Title = title,
            Node = node.Id,
            Kind = StepKind.Handler,
            Description = $"Runs only when {string.Join(" or ", triggers)} changed something and the server is running.",
            Check = new PlanCommand(node.Id, $"if {l.StatusCommand}; then exit 1; fi\necho 'The server is not running; the start step applies the configuration.'", ServiceUser(node)),
            Apply = [new PlanCommand(node.Id, command, ServiceUser(node))],
        };
    }

    /// <summary>A start or restart that, when the server does not come up, shows why: the last lines of its logs.</summary>
    internal static string WithLogTail(PostgresLayout l, string command) =>
        $$"""
        if ! {{command}}; then
          echo "The server did not start." >&2
          {
        {{Indent(l.LogTail, "    ")}}
          } >&2
          exit 1
        fi
        """;

    private static string Indent(string text, string prefix) => string.Join('\n', text.Split('\n').Select(line => prefix + line));

    internal static PlanStep Start(PlanNode node)
    {
        var l = node.Layout;
        return new PlanStep
        {
            Id = $"start-{node.Id}",
            Title = $"Start the {node.Role.ToString().ToLowerInvariant()} ({node.Host}:{node.Port})",
            Node = node.Id,
            Check = new PlanCommand(node.Id, $"{l.StatusCommand} || exit 1", ServiceUser(node)),
            Apply = [new PlanCommand(node.Id, WithLogTail(l, l.StartCommand), ServiceUser(node))],
        };
    }
}
