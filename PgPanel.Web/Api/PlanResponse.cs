using PgPanel.Core.Planning;
using PgPanel.Core.Records;

namespace PgPanel.Web.Api;

/// <summary>A plan as the API shows it: every step with its commands and rendered files, and the whole script.</summary>
public sealed record PlanResponse(string ClusterName, string PostgresVersion, IReadOnlyList<PlanNodeResponse> Nodes, IReadOnlyList<PlanStepResponse> Steps, string Script,
    IReadOnlyList<Core.Cloud.Alibaba.PlannedCloudCall>? CloudCalls = null, IReadOnlyList<PreflightResult>? Preflight = null)
{
    /// <summary>The plan; for a cloud spec also the cloud calls made before the SSH steps; with a review, the pre-flight results.</summary>
    public static PlanResponse From(Plan plan, Core.Specs.ClusterSpec? spec = null, IReadOnlyList<PreflightResult>? preflight = null) => new(
        plan.ClusterName,
        plan.PostgresVersion.ToString(),
        plan.Nodes.Select(n => new PlanNodeResponse(n.Id, n.Role, n.Host, n.Port, n.Layout.Kind, n.Layout.DataDirectory, n.Layout.BinDirectory)).ToList(),
        plan.Steps.Select(s => new PlanStepResponse(
            s.Id, s.Title, s.Node, s.Kind, s.Description,
            [ScriptExport.RenderStep(plan, s)],
            s.Files.Select(f => new PlanFileResponse(f.Path, f.Mode, f.Content)).ToList(),
            s.Secrets)).ToList(),
        ScriptExport.Render(plan),
        spec?.Cloud is null ? null : Core.Cloud.Alibaba.EcsProvisioner.PlannedCalls(spec),
        preflight);
}

public sealed record PlanNodeResponse(string Id, NodeRole Role, string Host, int Port, LayoutKind Layout, string DataDirectory, string BinDirectory);

public sealed record PlanStepResponse(string Id, string Title, string Node, StepKind Kind, string? Description,
    IReadOnlyList<string> Commands, IReadOnlyList<PlanFileResponse> Files, IReadOnlyList<string> Secrets);

/// <summary>A rendered file; secrets appear only as {{secret:NAME}} placeholders.</summary>
public sealed record PlanFileResponse(string Path, string Mode, string Content);
