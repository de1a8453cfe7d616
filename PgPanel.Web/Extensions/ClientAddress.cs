namespace PgPanel.Web.Extensions;

/// <summary>
/// The address of the browser a page's circuit belongs to, read once when the circuit's scope is made (the hub
/// connection still has its HTTP context then), for the run audit.
/// </summary>
public sealed class ClientAddress(IHttpContextAccessor accessor)
{
    public string Value { get; } = accessor.HttpContext?.Connection.RemoteIpAddress?.ToString() ?? "unknown address";
}
