using System.Globalization;
using System.Text;
using PgPanel.Core.Records;

namespace PgPanel.Core.Runs;

/// <summary>A run as a file: JSON for machines, text for people. Secrets were redacted before the steps were stored.</summary>
public static class JobExport
{
    public static string Text(Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"PgPanel run {job.Id}\ncluster: {job.ClusterName}\nstatus: {job.Status.ToString().ToLowerInvariant()}\n");
        text.Append(CultureInfo.InvariantCulture, $"started by: {job.StartedBy}\ncreated: {job.CreatedAt:u}\nstarted: {job.StartedAt:u}\nfinished: {job.FinishedAt:u}\nattempt: {job.Attempt}\n");
        if (job.Audit.Length > 0)
        {
            text.Append("audit:\n").Append(job.Audit);
        }

        if (job.Error is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"error: {job.Error}\n");
        }

        foreach (var step in job.Steps.OrderBy(s => s.Index))
        {
            text.Append(CultureInfo.InvariantCulture, $"\n=== {step.Index}. [{step.Node}] {step.Title}\n");
            text.Append(CultureInfo.InvariantCulture, $"status: {step.Status.ToString().ToLowerInvariant()}  exit: {step.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-"}  ");
            text.Append(CultureInfo.InvariantCulture, $"started: {step.StartedAt:u}  finished: {step.FinishedAt:u}\n");
            if (step.Commands.Length > 0)
            {
                text.Append("--- commands\n").Append(step.Commands.TrimEnd()).Append('\n');
            }

            if (step.Output.Length > 0)
            {
                text.Append("--- output\n").Append(step.Output.TrimEnd()).Append('\n');
            }
        }

        return text.ToString();
    }
}
