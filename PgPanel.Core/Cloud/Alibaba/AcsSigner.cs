using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PgPanel.Core.Security;

namespace PgPanel.Core.Cloud.Alibaba;

/// <summary>
/// Signs Alibaba Cloud RPC requests. Pure: every input (date, nonce) is a parameter, so the published vectors can be
/// reproduced. V3 (ACS3-HMAC-SHA256) puts the signature in the Authorization header; V1 (HMAC-SHA1) in the query.
/// </summary>
public static class AcsSigner
{
    public const string V3Algorithm = "ACS3-HMAC-SHA256";

    public const string EmptyBodySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    public static string FormatDate(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// The V3 headers for a request: host, x-acs-action/version/date/signature-nonce/content-sha256 (and
    /// x-acs-security-token with STS), and Authorization.
    /// </summary>
    public static AcsV3Signature SignV3(
        string method, string host, string action, string version, IEnumerable<KeyValuePair<string, string>> query,
        AlibabaCredentials credentials, DateTimeOffset date, string nonce, byte[]? body = null)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var payloadHash = body is null || body.Length == 0 ? EmptyBodySha256 : Convert.ToHexStringLower(SHA256.HashData(body));
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = host,
            ["x-acs-action"] = action,
            ["x-acs-version"] = version,
            ["x-acs-date"] = FormatDate(date),
            ["x-acs-signature-nonce"] = nonce,
            ["x-acs-content-sha256"] = payloadHash,
        };
        if (credentials.SecurityToken is { } token)
        {
            headers["x-acs-security-token"] = token.Reveal();
        }

        var canonicalHeaders = new StringBuilder();
        foreach (var (name, value) in headers)
        {
            canonicalHeaders.Append(name).Append(':').Append(value.Trim()).Append('\n');
        }

        var signedHeaders = string.Join(';', headers.Keys);
        var canonicalRequest = $"{method.ToUpperInvariant()}\n/\n{AcsPercentEncoder.CanonicalQuery(query)}\n{canonicalHeaders}\n{signedHeaders}\n{payloadHash}";
        var hashed = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)));
        var stringToSign = $"{V3Algorithm}\n{hashed}";
        var signature = Convert.ToHexStringLower(
            HMACSHA256.HashData(Encoding.UTF8.GetBytes(credentials.AccessKeySecret.Reveal()), Encoding.UTF8.GetBytes(stringToSign)));
        var all = new Dictionary<string, string>(headers, StringComparer.Ordinal)
        {
            ["Authorization"] = $"{V3Algorithm} Credential={credentials.AccessKeyId},SignedHeaders={signedHeaders},Signature={signature}",
        };
        return new AcsV3Signature(all, canonicalRequest, hashed, signedHeaders, signature);
    }

    /// <summary>
    /// The V1 query: the business parameters plus the common ones (Action, Version, Format, AccessKeyId,
    /// SignatureMethod, SignatureVersion, SignatureNonce, Timestamp, SecurityToken) and Signature.
    /// </summary>
    public static Dictionary<string, string> SignV1(
        string method, string action, string version, IEnumerable<KeyValuePair<string, string>> query,
        AlibabaCredentials credentials, DateTimeOffset timestamp, string nonce, string format = "JSON")
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var parameters = new Dictionary<string, string>(query, StringComparer.Ordinal)
        {
            ["Action"] = action,
            ["Version"] = version,
            ["Format"] = format,
            ["AccessKeyId"] = credentials.AccessKeyId,
            ["SignatureMethod"] = "HMAC-SHA1",
            ["SignatureVersion"] = "1.0",
            ["SignatureNonce"] = nonce,
            ["Timestamp"] = FormatDate(timestamp),
        };
        if (credentials.SecurityToken is { } token)
        {
            parameters["SecurityToken"] = token.Reveal();
        }

        parameters["Signature"] = SignatureV1(method, parameters, credentials.AccessKeySecret);
        return parameters;
    }

    /// <summary>Base64(HMAC-SHA1(secret + "&amp;", METHOD&amp;%2F&amp;encode(canonical query))) over every parameter but Signature.</summary>
    public static string SignatureV1(string method, IEnumerable<KeyValuePair<string, string>> parameters, Secret secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var canonical = AcsPercentEncoder.CanonicalQuery(parameters.Where(p => p.Key != "Signature"));
        var stringToSign = $"{method.ToUpperInvariant()}&{AcsPercentEncoder.Encode("/")}&{AcsPercentEncoder.Encode(canonical)}";
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret.Reveal() + "&"), Encoding.UTF8.GetBytes(stringToSign)));
    }
}
