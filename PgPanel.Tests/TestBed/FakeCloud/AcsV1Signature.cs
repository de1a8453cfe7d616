namespace PgPanel.Tests.TestBed.FakeCloud;

/// <summary>An HMAC-SHA1 (signature version 1.0) string to sign and its Base64 signature.</summary>
internal sealed record AcsV1Signature(string StringToSign, string Signature);
