namespace PgPanel.Core.Cloud.Alibaba;

/// <summary>No Alibaba Cloud AccessKey was entered or found (environment, ~/.aliyun/config.json); the message says where PgPanel looked.</summary>
public sealed class CloudCredentialsMissingException(string message) : InvalidOperationException(message);
