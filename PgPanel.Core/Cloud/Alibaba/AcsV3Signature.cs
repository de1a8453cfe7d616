namespace PgPanel.Core.Cloud.Alibaba;

/// <summary>What a V3 signature produced: the request's headers to send, and the intermediate values (for tests and diagnosis).</summary>
public sealed record AcsV3Signature(
    IReadOnlyDictionary<string, string> Headers, string CanonicalRequest, string HashedCanonicalRequest, string SignedHeaders, string Signature);
