namespace PgPanel.Core.Cloud.Alibaba;

/// <summary>The ids of a run's cloud steps (defined with their calls in <see cref="EcsProvisioner.Steps"/>) and of the release.</summary>
public static class CloudStepIds
{
    public const string Preflight = "cloud.preflight";

    public const string Instances = "cloud.instances";

    public const string Running = "cloud.running";

    public const string Port = "cloud.port-5432";

    public const string Eip = "cloud.eip";

    public const string Release = "cloud.release";
}
