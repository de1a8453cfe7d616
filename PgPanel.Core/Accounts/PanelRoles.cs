namespace PgPanel.Core.Accounts;

/// <summary>The three roles: Admin (users, settings, everything), Operator (plan, run, resume, cancel), Viewer (read only).</summary>
public static class PanelRoles
{
    public const string Admin = "Admin";
    public const string Operator = "Operator";
    public const string Viewer = "Viewer";

    public static IReadOnlyList<string> All { get; } = [Admin, Operator, Viewer];

    /// <summary>Policy names.</summary>
    public const string CanOperate = "CanOperate";
    public const string CanAdminister = "CanAdminister";
}
