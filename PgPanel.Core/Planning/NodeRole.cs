namespace PgPanel.Core.Planning;

public enum NodeRole
{
    Primary,
    Standby,
}
