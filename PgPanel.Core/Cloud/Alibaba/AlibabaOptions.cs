namespace PgPanel.Core.Cloud.Alibaba;

/// <summary>The Alibaba Cloud client's configuration, bound from "PgPanel:Alibaba".</summary>
public sealed class AlibabaOptions
{
    public const string Section = "PgPanel:Alibaba";

    /// <summary>Full URL of the ECS API ("https://ecs.cn-shanghai.aliyuncs.com"); null: derived from the region.</summary>
    public string? EcsEndpoint { get; set; }

    /// <summary>Full URL of the VPC API; null: vpc.aliyuncs.com for the central regions, else vpc.&lt;region&gt;.aliyuncs.com.</summary>
    public string? VpcEndpoint { get; set; }

    public AcsSignatureVersion SignatureVersion { get; set; } = AcsSignatureVersion.V3;

    /// <summary>Retries of a throttled or failed (5xx) call.</summary>
    public int MaxRetries { get; set; } = 3;

    public int BackoffBaseMilliseconds { get; set; } = 500;

    public int ConnectTimeoutSeconds { get; set; } = 5;

    public int ReadTimeoutSeconds { get; set; } = 10;

    /// <summary>How often DescribeInstances is asked while waiting for Running.</summary>
    public double PollIntervalSeconds { get; set; } = 5;

    public int RunningTimeoutSeconds { get; set; } = 600;
}
