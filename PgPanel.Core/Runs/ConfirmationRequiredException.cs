namespace PgPanel.Core.Runs;

/// <summary>
/// A spec for a cluster PgPanel already has would change something a DBA must agree to first (a slot dropped, a node
/// restarted). Nothing was started; the same request with <see cref="Token"/> confirms exactly these changes.
/// </summary>
public sealed class ConfirmationRequiredException(ClusterChanges changes)
    : Exception($"This run changes cluster {changes.ClusterName} in ways that need a confirmation: {string.Join("; ", changes.Items)}")
{
    public ClusterChanges Changes { get; } = changes;
}
