using PgPanel.Core.Security;

namespace PgPanel.Core.Cloud.Alibaba;

/// <summary>An AccessKey pair (and an STS token when temporary), with where it came from for the UI and the run log.</summary>
public sealed record AlibabaCredentials(string AccessKeyId, Secret AccessKeySecret, Secret? SecurityToken = null, string Source = "panel")
{
    /// <summary>The key id with its middle hidden ("LTAI…x9Qz"), for logs and pages.</summary>
    public string MaskedKeyId => AccessKeyId.Length <= 8 ? "****" : $"{AccessKeyId[..4]}…{AccessKeyId[^4..]}";
}
