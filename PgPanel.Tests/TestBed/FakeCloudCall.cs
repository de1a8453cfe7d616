namespace PgPanel.Tests.TestBed;

/// <summary>
/// One request the <see cref="FakeAlibabaCloud"/> received and how it answered. <see cref="SignatureMethod"/> is
/// <c>ACS3-HMAC-SHA256</c>, <c>HMAC-SHA1</c> (or what a V1 request claimed), or empty when the request carried no signature;
/// <see cref="Parameters"/> is the percent-decoded query (for V1 including the common signature parameters).
/// </summary>
public sealed record FakeCloudCall(
    string Action,
    string Version,
    string SignatureMethod,
    IReadOnlyDictionary<string, string> Parameters,
    int HttpStatus,
    string? Code);
