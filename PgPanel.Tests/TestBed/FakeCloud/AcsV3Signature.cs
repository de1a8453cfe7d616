namespace PgPanel.Tests.TestBed.FakeCloud;

/// <summary>The intermediate values of an ACS3-HMAC-SHA256 signature, kept so a mismatch can be explained.</summary>
internal sealed record AcsV3Signature(string CanonicalRequest, string HashedCanonicalRequest, string StringToSign, string SignedHeaders, string Signature);
