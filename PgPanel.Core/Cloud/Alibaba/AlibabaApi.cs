namespace PgPanel.Core.Cloud.Alibaba;

/// <summary>Which OpenAPI a call goes to: ECS (2014-05-26) or VPC (2016-04-28, vSwitches and EIPs).</summary>
public enum AlibabaApi
{
    Ecs,
    Vpc,
}
