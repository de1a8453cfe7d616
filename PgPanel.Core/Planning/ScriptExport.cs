using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using static PgPanel.Core.Security.ShellQuote;

namespace PgPanel.Core.Planning;

/// <summary>
/// Renders a plan as one bash script a DBA can read and run by hand: the same checks and the same changes the runner
/// makes, step by step. Secrets are read from the environment; the script never contains them.
/// </summary>
public static partial class ScriptExport
{
    private const string Prelude =
        """
        set -o errexit -o nounset -o pipefail
        PGPANEL_NODES="${PGPANEL_NODES:-all}"

        # on_node NODE: true when this host runs NODE's steps (PGPANEL_NODES="primary" or "standby1", default all).
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
        text.Append("# When the nodes are on different hosts, run it on each host in order with PGPANEL_NODES set to that host's nodes,\n");
        text.Append("# e.g. PGPANEL_NODES=primary on the primary first, then PGPANEL_NODES=standby1 on the standby.\n");
        text.Append("# Secrets come from the environment and are never written into this script:\n");
        foreach (var (name, what) in plan.Secrets)
        {
            text.Append(CultureInfo.InvariantCulture, $"#   {name}  {what}\n");
        }

        text.Append('\n').Append(Prelude);
        foreach (var (name, what) in plan.Secrets)
        {
            text.Append(CultureInfo.InvariantCulture, $": \"${{{name}:?export {name} first ({what})}}\"\nexport {name}\n");
        }

        var handlers = plan.Steps.Where(s => s.Kind == StepKind.Handler).ToDictionary(s => s.Id);
        for (var i = 0; i < plan.Steps.Count; i++)
        {
            var step = plan.Steps[i];
            text.Append('\n');
            text.Append(CultureInfo.InvariantCulture, $"# ── Step {i + 1}/{plan.Steps.Count} [{step.Node}] {step.Title}\n");
            if (step.Description is not null)
            {
                text.Append(CultureInfo.InvariantCulture, $"#    {step.Description}\n");
            }

            text.Append(CultureInfo.InvariantCulture, $"if on_node {step.Node}; then\n");
            text.Append(Indent(RenderStep(step), "  "));
            text.Append("fi\n");
        }

        text.Append("\necho \"PgPanel plan for cluster ").Append(plan.ClusterName).Append(" complete.\"\n");
        return text.ToString();
    }

    /// <summary>The commands of one step as shell text (used for the job history too).</summary>
    public static string RenderStep(PlanStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var text = new StringBuilder();
        switch (step.Kind)
        {
            case StepKind.Preflight:
                text.Append(CultureInfo.InvariantCulture, $"{Head(step.Check!)} || {{ echo {Quote("Pre-flight failed: " + step.Title)} >&2; exit 1; }}\n{Body(step.Check!)}");
                return text.ToString();
            case StepKind.Verify:
                foreach (var command in step.Apply)
                {
                    text.Append(command.CaptureAs is null
                        ? $"{Head(command)}\n{Body(command)}"
                        : $"{command.CaptureAs}=$({Head(command)}\n{Body(command)})\nexport {command.CaptureAs}\n");
                }

                return text.ToString();
            case StepKind.Handler:
                var flag = FlagName(step.Id);
                text.Append(CultureInfo.InvariantCulture, $"if [ \"${{{flag}:-0}}\" = 1 ] && ! {Head(step.Check!)}; then\n{Body(step.Check!)}");
                foreach (var command in step.Apply)
                {
                    text.Append("  ").Append(Head(command)).Append('\n').Append(Body(command));
                }

                text.Append("fi\n");
                return text.ToString();
        }

        var body = new StringBuilder();
        body.Append("step_changed=0\n");
        foreach (var file in step.Files)
        {
            body.Append(WriteFile(file));
        }

        if (step.Check is not null)
        {
            body.Append(CultureInfo.InvariantCulture, $"if ! {Head(step.Check)}; then\n{Body(step.Check)}");
            foreach (var command in step.Apply)
            {
                body.Append("  ").Append(Head(command)).Append('\n').Append(Body(command));
            }

            body.Append("  step_changed=1\nfi\n");
        }
        else if (step.Apply.Count > 0)
        {
            var guard = step.Files.Count > 0;
            if (guard)
            {
                body.Append("if [ \"$step_changed\" = 1 ]; then\n");
            }

            foreach (var command in step.Apply)
            {
                body.Append(guard ? "  " : "").Append(Head(command)).Append('\n').Append(Body(command));
            }

            body.Append(guard ? "fi\n" : "step_changed=1\n");
        }

        foreach (var handler in step.Notifies)
        {
            body.Append(CultureInfo.InvariantCulture, $"if [ \"$step_changed\" = 1 ]; then {FlagName(handler)}=1; fi\n");
        }

        if (step.Unless is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"if {Head(step.Unless)}; then\n{Body(step.Unless)}  echo '  already in place'\nelse\n");
            text.Append(Indent(body.ToString(), "  "));
            text.Append("fi\n");
        }
        else
        {
            text.Append(body);
        }

        return text.ToString();
    }

    private const string StepDelimiter = "PGPANEL_STEP";

    /// <summary>The command line that runs a script from the heredoc that <see cref="Body"/> supplies.</summary>
    private static string Head(PlanCommand command) => $"run_as {command.RunAs ?? "-"} <<'{StepDelimiter}'";

    private static string Body(PlanCommand command) => $"{command.Script.TrimEnd('\n')}\n{StepDelimiter}\n";

    private static string WriteFile(PlanFile file)
    {
        var target = $"write_file {Quote(file.Path)} {file.Mode} {file.RunAs ?? "-"}";
        var parts = PlaceholderRegex().Split(file.Content);
        if (parts.Length == 1 && file.Content.EndsWith('\n') && !file.Content.Contains("\nPGPANEL_FILE\n", StringComparison.Ordinal))
        {
            return $"if {target} <<'PGPANEL_FILE'\n{file.Content}PGPANEL_FILE\nthen step_changed=1; fi\n";
        }

        // Odd parts are secret names: they come from the environment at run time.
        var words = parts.Select((part, i) => i % 2 == 1 ? $"\"${part}\"" : Quote(part)).Where(w => w != "''");
        var args = string.Join(' ', words);
        return args.Length == 0
            ? $"if printf '' | {target}; then step_changed=1; fi\n"
            : $"if printf '%s' {args} | {target}; then step_changed=1; fi\n";
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
