namespace PgPanel.Core.Cloud.Alibaba;

/// <summary>The cloud steps of a run, in order; each is a job step before "connect".</summary>
public static class CloudStepIds
{
    public const string Preflight = "cloud.preflight";

    public const string Instances = "cloud.instances";

    public const string Running = "cloud.running";

    public const string Port = "cloud.port-5432";

    public const string Eip = "cloud.eip";

    public const string Release = "cloud.release";

    public static IReadOnlyList<(string Id, string Title)> For(Specs.CloudSpec cloud)
    {
        ArgumentNullException.ThrowIfNull(cloud);
        var steps = new List<(string, string)>
        {
            (Preflight, "Check the AccessKey, image, vSwitch and security group, and DryRun the instances (permissions, quota)"),
            (Instances, $"Create the ECS instances ({cloud.InstanceType})"),
            (Running, "Wait until every instance is Running"),
            (Port, "Open TCP 5432 in the security group for the vSwitch"),
        };
        if (cloud.UseEip)
        {
            steps.Add((Eip, "Allocate an elastic IP per instance and associate it"));
        }

        return steps;
    }
}
