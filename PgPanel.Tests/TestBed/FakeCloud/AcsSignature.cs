using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PgPanel.Tests.TestBed.FakeCloud;

/// <summary>
/// The fake's own implementation of Alibaba Cloud's request signatures — V3 (ACS3-HMAC-SHA256) and V1 (HMAC-SHA1) —
/// written from the published specification and deliberately independent of PgPanel.Core's signer.
/// </summary>
internal static class AcsSignature
{
    public const string V3Algorithm = "ACS3-HMAC-SHA256";
    public const string V1Method = "HMAC-SHA1";
    public const string EmptyBodySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <summary>UTF-8, RFC 3986 unreserved characters kept, everything else %XX with uppercase hex (space is %20, * is %2A).</summary>
    public static string PercentEncode(string value)
    {
        var builder = new StringBuilder(value.Length * 3);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9'
                or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    /// <summary>Decoded parameters re-encoded, sorted by encoded key (ordinal), <c>k=v</c> joined by <c>&amp;</c>.</summary>
    public static string CanonicalQuery(IEnumerable<KeyValuePair<string, string>> parameters) =>
        string.Join('&', parameters
            .Select(p => (Key: PercentEncode(p.Key), Value: PercentEncode(p.Value)))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => p.Key + "=" + p.Value));

    /// <summary>
    /// V3: canonical request <c>METHOD\n/\nquery\nheaders\nsigned-headers\nhashed-payload</c>; string to sign
    /// <c>ACS3-HMAC-SHA256\nhex(sha256(canonical request))</c>; signature hex HMAC-SHA256 keyed with the secret.
    /// </summary>
    public static AcsV3Signature ComputeV3(
        string method,
        IEnumerable<KeyValuePair<string, string>> queryParameters,
        IEnumerable<KeyValuePair<string, string>> signedHeaders,
        string hashedPayload,
        string accessKeySecret)
    {
        var headers = signedHeaders
            .Select(h => (Name: h.Key.ToLowerInvariant(), Value: h.Value.Trim()))
            .OrderBy(h => h.Name, StringComparer.Ordinal)
            .ToList();
        var canonicalHeaders = string.Concat(headers.Select(h => h.Name + ":" + h.Value + "\n"));
        var signedHeaderList = string.Join(';', headers.Select(h => h.Name));
        var canonicalRequest = string.Join('\n', method, "/", CanonicalQuery(queryParameters), canonicalHeaders, signedHeaderList, hashedPayload);
        var hashedCanonicalRequest = Sha256Hex(Encoding.UTF8.GetBytes(canonicalRequest));
        var stringToSign = V3Algorithm + "\n" + hashedCanonicalRequest;
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(accessKeySecret), Encoding.UTF8.GetBytes(stringToSign)));
        return new AcsV3Signature(canonicalRequest, hashedCanonicalRequest, stringToSign, signedHeaderList, signature);
    }

    /// <summary>
    /// V1: string to sign <c>METHOD&amp;%2F&amp;encode(canonical query of every parameter but Signature)</c>;
    /// signature Base64 HMAC-SHA1 keyed with <c>secret + "&amp;"</c>.
    /// </summary>
    public static AcsV1Signature ComputeV1(string method, IEnumerable<KeyValuePair<string, string>> parameters, string accessKeySecret)
    {
        var canonical = CanonicalQuery(parameters.Where(p => p.Key != "Signature"));
        var stringToSign = method + "&" + PercentEncode("/") + "&" + PercentEncode(canonical);
        var signature = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(accessKeySecret + "&"), Encoding.UTF8.GetBytes(stringToSign)));
        return new AcsV1Signature(stringToSign, signature);
    }

    public static string Sha256Hex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>Ordinal comparison in constant time, as a real verifier does.</summary>
    public static bool SameText(string expected, string actual) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(actual));
}
