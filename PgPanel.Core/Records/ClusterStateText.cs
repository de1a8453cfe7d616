namespace PgPanel.Core.Records;

/// <summary>
/// <see cref="ClusterState"/> as the store keeps it: "provisioning" or "ready", the only texts PgPanel has ever written.
/// Any other text is not guessed at (reading it as Provisioning would silently stop monitoring a built cluster): reading
/// it fails and names the text.
/// </summary>
public static class ClusterStateText
{
    public const string Provisioning = "provisioning";

    public const string Ready = "ready";

    public static string Of(ClusterState state) => state switch
    {
        ClusterState.Provisioning => Provisioning,
        ClusterState.Ready => Ready,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Not a cluster state."),
    };

    public static ClusterState Parse(string text) => text switch
    {
        Provisioning => ClusterState.Provisioning,
        Ready => ClusterState.Ready,
        _ => throw new InvalidOperationException(
            $"The store holds the cluster state '{text}', which PgPanel never writes ('{Provisioning}' or '{Ready}'): fix the Clusters row."),
    };
}
