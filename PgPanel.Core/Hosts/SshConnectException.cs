namespace PgPanel.Core.Hosts;

/// <summary>An SSH host could not be reached, refused the credentials, or showed an unexpected host key.</summary>
public sealed class SshConnectException(string message, string? presentedFingerprint = null, Exception? inner = null)
    : HostProbeException(message, inner)
{
    /// <summary>The host key the server showed, when it got that far.</summary>
    public string? PresentedFingerprint { get; } = presentedFingerprint;
}
