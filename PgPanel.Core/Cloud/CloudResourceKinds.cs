namespace PgPanel.Core.Cloud;

/// <summary>The kinds of <see cref="CloudResource"/>, in the order they are created (released in reverse).</summary>
public static class CloudResourceKinds
{
    public const string Instance = "instance";

    public const string IngressRule = "ingress-rule";

    public const string Eip = "eip";

    public const string EipAssociation = "eip-association";

    public static int ReleaseOrder(string kind) => kind switch
    {
        EipAssociation => 0,
        Eip => 1,
        IngressRule => 2,
        Instance => 3,
        _ => 4,
    };
}
