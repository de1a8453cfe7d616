namespace PgPanel.Core.Hosts;

/// <summary>A host could not be probed, or runs something PgPanel cannot plan for.</summary>
public class HostProbeException(string message, Exception? inner = null) : Exception(message, inner);
