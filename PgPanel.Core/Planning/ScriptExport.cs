using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using PgPanel.Core.Records;
using static PgPanel.Core.Security.ShellQuote;

namespace PgPanel.Core.Planning;

/// <summary>
/// Renders a plan as one bash script a DBA can read and run by hand: the same checks and the same changes the runner
/// makes, step by step, under the same contract (<see cref="StepContract"/>). Run on each host with PGPANEL_NODES set
/// to that host's nodes, every command runs on the host of its own node, and a step that needs another host's work
/// waits for it. Secrets are read from the environment; the script never contains them.
/// </summary>
public static partial class ScriptExport
{
    private const string Prelude =
        """
        set -o errexit -o nounset -o pipefail
        PGPANEL_NODES="${PGPANEL_NODES:-all}"
        PGPANEL_WAIT_SECONDS="${PGPANEL_WAIT_SECONDS:-3600}"
        pgpanel_changed=0
        pgpanel_step=""
        trap 'rc=$?; if [ "$rc" != 0 ]; then echo "PgPanel: step $pgpanel_step failed (exit code $rc). Fix the cause and run the script again: finished steps are checked, not redone." >&2; fi' EXIT

        # on_node NODE: true when this host runs NODE's steps (PGPANEL_NODES="primary" or "standby1 standby2", default all).
        on_node() { [ "$PGPANEL_NODES" = all ] || [[ " $PGPANEL_NODES " == *" $1 "* ]]; }

        # run_as USER: runs the script on standard input as USER ("-": as whoever runs this script).
        # runuser keeps the environment, so secrets stay out of every command line.
        run_as() {
          if [ "$1" = - ] || [ "$(id -un)" = "$1" ]; then bash -o errexit -o nounset -o pipefail -s
          else runuser -u "$1" -- bash -o errexit -o nounset -o pipefail -s; fi
        }

        # write_file PATH MODE USER: replaces PATH with standard input, atomically, only when content or mode differ.
        # Returns 0 when it changed the file.
        write_file() {
          local path=$1 mode=$2 user=$3 tmp
          tmp=$(mktemp "$(dirname "$path")/.pgpanel.XXXXXX")
          cat > "$tmp"
          if [ -f "$path" ] && cmp -s "$tmp" "$path" && [ "$(stat -c %a "$path")" = "${mode#0}" ]; then rm -f "$tmp"; return 1; fi
          if [ "$user" != - ] && [ "$(id -u)" = 0 ]; then chown "$user:" "$tmp"; fi
          chmod "$mode" "$tmp"
          mv -f "$tmp" "$path"
          echo "  wrote $path"
        }

        # The step contract (the panel's runner keeps the same one): a check exits 0 when the host is as wanted and 1 when
        # it differs; any other exit code is an error. A change runs only on a difference and is checked again after.
        # differs CHECK: true when CHECK exits 1, false when it exits 0, and stops the script otherwise.
        differs() {
          local rc=0
          "$@" || rc=$?
          case "$rc" in
            0) return 1 ;;
            1) return 0 ;;
            *) echo "  the check failed with exit code $rc" >&2; exit "$rc" ;;
          esac
        }
        # converged CHECK: after a change, CHECK must exit 0.
        converged() {
          local rc=0
          "$@" || rc=$?
          if [ "$rc" != 0 ]; then echo "  the change ran, but the check still finds a difference" >&2; exit 1; fi
        }
        # passes COMMAND: a pre-flight check or a verification must exit 0.
        passes() {
          local rc=0
          "$@" || rc=$?
          if [ "$rc" != 0 ]; then echo "  failed with exit code $rc" >&2; exit "$rc"; fi
        }
        # waiting WHAT COMMAND: retries COMMAND every 5 s, for at most PGPANEL_WAIT_SECONDS, while WHAT happens on another
        # host; then shows the last attempt's output and returns its exit code.
        waiting() {
          local what=$1 rc out deadline=$((SECONDS + PGPANEL_WAIT_SECONDS)) next=0
          shift
          while :; do
            rc=0
            out=$("$@" 2>&1) || rc=$?
            if [ "$rc" = 0 ] || [ "$SECONDS" -ge "$deadline" ]; then printf '%s\n' "$out"; return "$rc"; fi
            if [ "$SECONDS" -ge "$next" ]; then echo "  waiting for $what (another host; up to $PGPANEL_WAIT_SECONDS s)"; next=$((SECONDS + 60)); fi
            sleep 5
          done
        }
        # result WHAT: one line per step, and the count of changes for the summary.
        result() {
          echo "  => $1"
          if [ "$1" = changed ]; then pgpanel_changed=$((pgpanel_changed + 1)); fi
        }

        """;

    public static string Render(Plan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var text = new StringBuilder();
        text.Append("#!/usr/bin/env bash\n");
        text.Append(CultureInfo.InvariantCulture, $"# PgPanel plan for cluster \"{plan.ClusterName}\": PostgreSQL {plan.PostgresVersion} streaming replication.\n");
        foreach (var node in plan.Nodes)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"#   {node.Id,-9} {node.Host}:{node.Port}  data {node.Layout.DataDirectory}  ({node.Layout.Kind}, {(node.Connection == Specs.ConnectionKind.Local ? "this machine" : "over SSH")})\n");
        }

        text.Append("#\n# Every step checks first and changes only what differs: running this script again changes nothing.\n");
        text.Append("# On one host: run it as root. When the nodes are on different hosts, run it as root on every host at the same time,\n");
        text.Append("# each with PGPANEL_NODES set to that host's nodes, e.g.\n");
        text.Append("#   PGPANEL_NODES=primary bash plan.sh      (on the primary's host)\n");
        text.Append("#   PGPANEL_NODES=standby1 bash plan.sh     (on the standby's host)\n");
        text.Append("# Each host runs only its own nodes' commands; where it needs another host's work (a standby's clone needs the\n");
        text.Append("# primary's replication role; the primary's verification needs the standby running) it waits for it, for up to\n");
        text.Append("# PGPANEL_WAIT_SECONDS (3600). The script ends with the number of steps that changed something.\n");
        text.Append("# Secrets come from the environment and are never written into this script; each host needs those its nodes use:\n");
        foreach (var (name, what) in plan.Secrets)
        {
            var users = NodesUsing(plan, name);
            text.Append(CultureInfo.InvariantCulture, $"#   {name}  {what} (for {(users.Count == 0 ? "no node" : string.Join(", ", users))})\n");
        }

        text.Append('\n').Append(Prelude);
        foreach (var (name, what) in plan.Secrets)
        {
            var users = NodesUsing(plan, name);
            if (users.Count == 0)
            {
                continue;
            }

            text.Append(CultureInfo.InvariantCulture,
                $"if {string.Join(" || ", users.Select(u => $"on_node {u}"))}; then\n  : \"${{{name}:?export {name} first ({what})}}\"\n  export {name}\nfi\n");
        }

        for (var i = 0; i < plan.Steps.Count; i++)
        {
            var step = plan.Steps[i];
            var number = $"{i + 1}/{plan.Steps.Count}";
            var nodes = NodesOf(step);
            text.Append('\n');
            text.Append(CultureInfo.InvariantCulture, $"# ── Step {number} [{step.Node}] {step.Title}\n");
            if (step.Description is not null)
            {
                text.Append(CultureInfo.InvariantCulture, $"#    {step.Description}\n");
            }

            text.Append(CultureInfo.InvariantCulture, $"if {string.Join(" || ", nodes.Select(n => $"on_node {n}"))}; then\n");
            text.Append(CultureInfo.InvariantCulture, $"  pgpanel_step={Quote(number + " " + step.Title)}\n");
            text.Append(CultureInfo.InvariantCulture, $"  echo {Quote($"[{number}] {step.Node}: {step.Title}")}\n");
            text.Append(Indent(RenderStep(plan, step, i + 1), "  "));
            text.Append("fi\n");
        }

        text.Append(CultureInfo.InvariantCulture,
            $"\necho \"PgPanel plan for cluster {plan.ClusterName} complete on this host ($PGPANEL_NODES): $pgpanel_changed step(s) changed something.\"\n");
        return text.ToString();
    }

    /// <summary>The commands of one step as shell text, as the exported script runs them (shown in Review and the job history).</summary>
    public static string RenderStep(Plan plan, PlanStep step) => RenderStep(plan, step, plan.Steps.ToList().IndexOf(step) + 1);

    private static string RenderStep(Plan plan, PlanStep step, int number)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(step);
        var text = new StringBuilder();
        var functions = new Functions(number);
        var awaited = step.Awaits.Select(id => plan.Steps.FirstOrDefault(s => s.Id == id)).OfType<PlanStep>().ToList();

        // Runs a command (a function name) of NODE once when the steps it awaits are on its own host (they ran before it),
        // else waits for them.
        string Run(string command, string node, string wrapper)
        {
            var others = awaited.Where(a => a.Node != node).ToList();
            if (others.Count == 0)
            {
                return $"{wrapper} {command}";
            }

            var here = string.Join(" && ", others.Select(a => a.Node).Distinct().Select(n => $"on_node {n}"));
            var what = string.Join("; ", others.Select(a => $"{a.Node}: {a.Title}"));
            return $"if {here}; then {wrapper} {command}; else {wrapper} waiting {Quote(what)} {command}; fi";
        }

        switch (step.Kind)
        {
            case StepKind.Preflight:
                text.Append(functions.Define(step.Check!, out var check));
                text.Append(Run(check, step.Check!.Node, "passes")).Append('\n');
                text.Append("result passed\n");
                return text.ToString();

            case StepKind.Verify:
                var guarded = step.Apply.Select(c => c.Node).Distinct().Count() > 1;
                foreach (var command in step.Apply)
                {
                    var name = functions.Name();
                    var part = new StringBuilder(functions.Define(command, name));
                    if (command.CaptureAs is null)
                    {
                        part.Append(Run(name, command.Node, "passes")).Append('\n');
                    }
                    else
                    {
                        // The last line of the output is the value later commands read (as the runner captures it).
                        part.Append(CultureInfo.InvariantCulture, $"out=$({Run(name, command.Node, "passes")})\n");
                        part.Append("printf '%s\\n' \"$out\" | sed '$d'\n");
                        part.Append(CultureInfo.InvariantCulture, $"{command.CaptureAs}=$(printf '%s\\n' \"$out\" | tail -n 1)\nexport {command.CaptureAs}\n");
                    }

                    text.Append(guarded ? $"if on_node {command.Node}; then\n{Indent(part.ToString(), "  ")}fi\n" : part.ToString());
                }

                text.Append("result passed\n");
                return text.ToString();

            case StepKind.Handler:
            {
                var flag = FlagName(step.Id);
                text.Append(functions.Define(step.Check!, out var handlerCheck));
                text.Append(CultureInfo.InvariantCulture, $"if [ \"${{{flag}:-0}}\" != 1 ]; then\n  echo '  not notified: nothing it applies changed in this run'\n  result unchanged\n");
                text.Append(CultureInfo.InvariantCulture, $"elif differs {handlerCheck}; then\n");
                foreach (var command in step.Apply)
                {
                    text.Append(Indent(Inline(command), "  "));
                }

                text.Append("  result changed\nelse\n  result unchanged\nfi\n");
                return text.ToString();
            }
        }

        var body = new StringBuilder();
        body.Append("files_changed=0\n");
        foreach (var file in step.Files)
        {
            body.Append(WriteFile(file));
        }

        string? changeCheck = null;
        if (step.Check is not null)
        {
            body.Append(functions.Define(step.Check, out var defined));
            changeCheck = defined;
        }

        if (changeCheck is not null)
        {
            body.Append(CultureInfo.InvariantCulture, $"if differs {changeCheck}; then\n");
            body.Append(Indent(ApplyAll(step, functions), "  "));

            body.Append(CultureInfo.InvariantCulture, $"  converged {changeCheck}\n  step_result=changed\n");
            body.Append("elif [ \"$files_changed\" = 1 ]; then\n  step_result=changed\nelse\n  step_result=unchanged\nfi\n");
        }
        else if (step.Apply.Count > 0 && step.Files.Count > 0)
        {
            body.Append("if [ \"$files_changed\" = 1 ]; then\n");
            body.Append(Indent(ApplyAll(step, functions), "  "));

            body.Append("  step_result=changed\nelse\n  step_result=unchanged\nfi\n");
        }
        else if (step.Apply.Count > 0)
        {
            body.Append(ApplyAll(step, functions));
            body.Append("step_result=changed\n");
        }
        else
        {
            body.Append("if [ \"$files_changed\" = 1 ]; then step_result=changed; else step_result=unchanged; fi\n");
        }

        foreach (var handler in step.Notifies)
        {
            body.Append(CultureInfo.InvariantCulture, $"if [ \"$step_result\" = changed ]; then {FlagName(handler)}=1; fi\n");
        }

        body.Append("result \"$step_result\"\n");

        if (step.Unless is not null)
        {
            text.Append(functions.Define(step.Unless, out var unless));
            text.Append(CultureInfo.InvariantCulture, $"if {unless}; then\n  echo '  already in place'\n  result unchanged\nelse\n");
            text.Append(Indent(body.ToString(), "  "));
            text.Append("fi\n");
        }
        else
        {
            text.Append(body);
        }

        return text.ToString();
    }

    /// <summary>
    /// A step's changes in order. With clean-up commands (<see cref="PlanStep.OnFailure"/>), a failed change runs those of
    /// them that belong to this host's nodes, then stops the script, as the runner does.
    /// </summary>
    private static string ApplyAll(PlanStep step, Functions functions)
    {
        if (step.OnFailure.Count == 0)
        {
            return string.Concat(step.Apply.Select(Inline));
        }

        var text = new StringBuilder();
        var applies = step.Apply.Select(c => { text.Append(functions.Define(c, out var name)); return name; }).ToList();
        var rescues = step.OnFailure.Select(c => { text.Append(functions.Define(c, out var name)); return (name, c.Node); }).ToList();
        text.Append(CultureInfo.InvariantCulture, $"if ! {{ {string.Join(" && ", applies)}; }}; then\n");
        foreach (var (name, node) in rescues)
        {
            text.Append(CultureInfo.InvariantCulture, $"  if on_node {node}; then {name} || echo '  clean-up on {node} failed' >&2; fi\n");
        }

        text.Append("  exit 1\nfi\n");
        return text.ToString();
    }

    /// <summary>The nodes whose host runs a part of the step.</summary>
    private static IReadOnlyList<string> NodesOf(PlanStep step) =>
        new[] { step.Node }.Concat(step.AllCommands.Select(c => c.Node)).Concat(step.Files.Select(f => f.Node)).Distinct(StringComparer.Ordinal).ToList();

    private static IReadOnlyList<string> NodesUsing(Plan plan, string secret) =>
        plan.Steps.Where(s => s.Secrets.Contains(secret)).SelectMany(s => s.AllCommands.Select(c => c.Node).Concat(s.Files.Select(f => f.Node)))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    private const string StepDelimiter = "PGPANEL_STEP";

    /// <summary>A command run in place: its script on the standard input of run_as.</summary>
    private static string Inline(PlanCommand command) => $"run_as {command.RunAs ?? "-"} <<'{StepDelimiter}'\n{command.Script.TrimEnd('\n')}\n{StepDelimiter}\n";

    /// <summary>Names and defines the functions of one step, so a check can run again after its change.</summary>
    private sealed class Functions(int step)
    {
        private int _count;

        public string Name() => $"step{step}_{++_count}";

        public string Define(PlanCommand command, out string name)
        {
            name = Name();
            return Define(command, name);
        }

        public string Define(PlanCommand command, string name) =>
            $"{name}() {{\nrun_as {command.RunAs ?? "-"} <<'{StepDelimiter}'\n{command.Script.TrimEnd('\n')}\n{StepDelimiter}\n}}\n";
    }

    private static string WriteFile(PlanFile file)
    {
        var target = $"write_file {Quote(file.Path)} {file.Mode} {file.RunAs ?? "-"}";
        var parent = file.CreateParent ? $"mkdir -p -m 0755 {Quote(Path.GetDirectoryName(file.Path)!)}\n" : "";
        return parent + WriteFileBody(file, target);
    }

    private static string WriteFileBody(PlanFile file, string target)
    {
        var parts = PlaceholderRegex().Split(file.Content);
        if (parts.Length == 1 && file.Content.EndsWith('\n') && !file.Content.Contains("\nPGPANEL_FILE\n", StringComparison.Ordinal))
        {
            return $"if {target} <<'PGPANEL_FILE'\n{file.Content}PGPANEL_FILE\nthen files_changed=1; fi\n";
        }

        // Odd parts are secret names: they come from the environment at run time.
        var words = parts.Select((part, i) => i % 2 == 1 ? $"\"${part}\"" : Quote(part)).Where(w => w != "''");
        var args = string.Join(' ', words);
        return args.Length == 0
            ? $"if printf '' | {target}; then files_changed=1; fi\n"
            : $"if printf '%s' {args} | {target}; then files_changed=1; fi\n";
    }

    private static string FlagName(string handlerId) => "notify_" + handlerId.Replace('-', '_');

    private static string Indent(string text, string prefix)
    {
        // Heredoc bodies must keep their lines as they are; only lines outside them are indented.
        var lines = text.Split('\n');
        var result = new StringBuilder();
        string? heredoc = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (i == lines.Length - 1 && line.Length == 0)
            {
                break;
            }

            if (heredoc is not null)
            {
                result.Append(line).Append('\n');
                if (line == heredoc)
                {
                    heredoc = null;
                }

                continue;
            }

            result.Append(prefix).Append(line).Append('\n');
            var match = HeredocRegex().Match(line);
            if (match.Success)
            {
                heredoc = match.Groups[1].Value;
            }
        }

        return result.ToString();
    }

    [GeneratedRegex(@"\{\{secret:([A-Z_]+)\}\}")]
    private static partial Regex PlaceholderRegex();

    [GeneratedRegex(@"<<'([A-Z_]+)'")]
    private static partial Regex HeredocRegex();
}
