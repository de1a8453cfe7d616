namespace PgPanel.Core.Planning;

/// <summary>
/// Who a step's commands run as, shared by every phase: root where the layout has an OS user that owns the cluster
/// (a server reached over SSH, or a local panel running as root), otherwise the panel's own user; the service user
/// for starts, restarts and reloads.
/// </summary>
internal static class StepPrivileges
{
    /// <summary>"root" when the cluster belongs to an OS user (system directories, runuser); null runs as the login itself.</summary>
    internal static string? Root(PlanNode node) => node.Layout.OsUser is null ? null : "root";

    /// <summary>The user that starts, stops and reloads the server (see <see cref="PostgresLayout.ServiceUser"/>).</summary>
    internal static string? ServiceUser(PlanNode node) => node.Layout.ServiceUser;
}
