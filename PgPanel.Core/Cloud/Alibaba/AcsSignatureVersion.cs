namespace PgPanel.Core.Cloud.Alibaba;

/// <summary>How requests are signed: ACS3-HMAC-SHA256 (the default) or the legacy V1 HMAC-SHA1.</summary>
public enum AcsSignatureVersion
{
    V3,
    V1,
}
