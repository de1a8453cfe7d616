using System.Collections.Concurrent;
using System.Globalization;

namespace PgPanel.Tests.TestBed.FakeCloud;

/// <summary>
/// Checks a request's credentials the way the OpenAPI gateway does, in its order: a complete signature, a known
/// AccessKeyId, a fresh timestamp, an unused nonce, a matching signature, then the STS token.
/// </summary>
internal sealed class FakeCloudAuthenticator(FakeAlibabaCloudOptions options, TimeProvider clock)
{
    private const string DateFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";
    private static readonly TimeSpan AllowedSkew = TimeSpan.FromMinutes(15);
    private static readonly string[] V3RequiredHeaders =
        ["host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"];

    private static readonly string[] V1RequiredParameters =
        ["AccessKeyId", "Signature", "SignatureMethod", "SignatureVersion", "SignatureNonce", "Timestamp"];

    private readonly ConcurrentDictionary<string, bool> _nonces = new(StringComparer.Ordinal);

    /// <summary>Which signature the request claims: V3 when it has an Authorization header, V1 when it has signature parameters.</summary>
    public static string ClaimedMethod(FakeCloudRequest request) =>
        request.Header("Authorization") is not null ? AcsSignature.V3Algorithm
        : request.Parameters.TryGetValue("SignatureMethod", out var method) ? method
        : request.Parameters.ContainsKey("Signature") ? AcsSignature.V1Method
        : "";

    /// <summary>Throws the gateway's error answer unless the request is signed with the configured key.</summary>
    public void Authenticate(FakeCloudRequest request)
    {
        if (request.Header("Authorization") is { } authorization)
        {
            AuthenticateV3(request, authorization);
        }
        else if (request.Parameters.ContainsKey("Signature") || request.Parameters.ContainsKey("SignatureMethod"))
        {
            AuthenticateV1(request);
        }
        else
        {
            throw FakeCloudException.IncompleteSignature("Neither an Authorization header (ACS3-HMAC-SHA256) nor a Signature parameter (HMAC-SHA1) was sent.");
        }
    }

    private void AuthenticateV3(FakeCloudRequest request, string authorization)
    {
        if (!authorization.StartsWith(AcsSignature.V3Algorithm + " ", StringComparison.Ordinal))
        {
            throw FakeCloudException.IncompleteSignature($"The Authorization header must start with \"{AcsSignature.V3Algorithm} \".");
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in authorization[(AcsSignature.V3Algorithm.Length + 1)..].Split(','))
        {
            var equals = field.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !fields.TryAdd(field[..equals].Trim(), field[(equals + 1)..].Trim()))
            {
                throw FakeCloudException.IncompleteSignature($"The Authorization field \"{field}\" is not name=value, or repeats.");
            }
        }

        var credential = V3Field(fields, "Credential");
        var signedHeaders = V3Field(fields, "SignedHeaders");
        var signature = V3Field(fields, "Signature");
        var names = signedHeaders.Split(';');
        if (names.Any(n => n.Length == 0 || n != n.Trim().ToLowerInvariant())
            || !names.SequenceEqual(names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)))
        {
            throw FakeCloudException.IncompleteSignature($"SignedHeaders \"{signedHeaders}\" must be distinct lowercase header names, sorted and joined by ';'.");
        }

        var required = options.SecurityToken is null ? V3RequiredHeaders : [.. V3RequiredHeaders, "x-acs-security-token"];
        if (required.Except(names, StringComparer.Ordinal).ToList() is { Count: > 0 } missing)
        {
            throw FakeCloudException.IncompleteSignature($"SignedHeaders must include {string.Join(", ", missing)}.");
        }

        var headers = new List<KeyValuePair<string, string>>();
        foreach (var name in names)
        {
            headers.Add(new(name, request.Header(name) ?? throw FakeCloudException.IncompleteSignature($"The signed header \"{name}\" is not in the request.")));
        }

        if (credential != options.AccessKeyId)
        {
            throw new FakeCloudException(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.");
        }

        CheckTimestamp(request.Header("x-acs-date")!.Trim(), "x-acs-date");
        CheckNonce(request.Header("x-acs-signature-nonce")!.Trim());

        var hashedPayload = request.Header("x-acs-content-sha256")!.Trim();
        var expected = AcsSignature.ComputeV3(request.Method, request.Query, headers, hashedPayload, options.AccessKeySecret);
        if (!AcsSignature.SameText(expected.Signature, signature))
        {
            throw new FakeCloudException(400, "SignatureDoesNotMatch",
                $"Specified signature does not match our calculation. server string to sign is:{expected.StringToSign} (canonical request:\n{expected.CanonicalRequest})");
        }

        var actualPayload = AcsSignature.Sha256Hex(request.Body);
        if (!AcsSignature.SameText(actualPayload, hashedPayload))
        {
            throw new FakeCloudException(400, "SignatureDoesNotMatch",
                $"The x-acs-content-sha256 header {hashedPayload} is not the lowercase hex SHA-256 of the request body ({actualPayload}).");
        }

        CheckSecurityToken(request.Header("x-acs-security-token")?.Trim());
    }

    private void AuthenticateV1(FakeCloudRequest request)
    {
        var parameters = request.Parameters;
        foreach (var name in V1RequiredParameters)
        {
            if (!parameters.TryGetValue(name, out var value) || value.Length == 0)
            {
                throw FakeCloudException.IncompleteSignature($"The signature parameter \"{name}\" is not supplied.");
            }
        }

        if (parameters["SignatureMethod"] != AcsSignature.V1Method || parameters["SignatureVersion"] != "1.0")
        {
            throw FakeCloudException.IncompleteSignature(
                $"SignatureMethod \"{parameters["SignatureMethod"]}\" / SignatureVersion \"{parameters["SignatureVersion"]}\" is not HMAC-SHA1 / 1.0.");
        }

        if (parameters["AccessKeyId"] != options.AccessKeyId)
        {
            throw new FakeCloudException(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.");
        }

        CheckTimestamp(parameters["Timestamp"], "Timestamp");
        CheckNonce(parameters["SignatureNonce"]);

        var expected = AcsSignature.ComputeV1(request.Method, request.Query, options.AccessKeySecret);
        if (!AcsSignature.SameText(expected.Signature, parameters["Signature"]))
        {
            throw new FakeCloudException(400, "SignatureDoesNotMatch",
                $"Specified signature is not matched with our calculation. server string to sign is:{expected.StringToSign}");
        }

        CheckSecurityToken(parameters.TryGetValue("SecurityToken", out var token) ? token : null);
    }

    private static string V3Field(Dictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var value) && value.Length > 0
            ? value
            : throw FakeCloudException.IncompleteSignature($"The Authorization header has no {name}.");

    private void CheckTimestamp(string text, string name)
    {
        if (!DateTimeOffset.TryParseExact(text, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var timestamp))
        {
            throw new FakeCloudException(400, "InvalidTimeStamp.Format",
                $"Specified time stamp or date value is not well formatted: {name} \"{text}\" is not UTC yyyy-MM-ddTHH:mm:ssZ.");
        }

        if ((clock.GetUtcNow() - timestamp).Duration() > AllowedSkew)
        {
            throw new FakeCloudException(400, "InvalidTimeStamp.Expired",
                $"Specified time stamp or date value is expired: {name} {text} is more than 15 minutes from the server time {clock.GetUtcNow().ToString(DateFormat, CultureInfo.InvariantCulture)}.");
        }
    }

    private void CheckNonce(string nonce)
    {
        if (nonce.Length == 0)
        {
            throw FakeCloudException.IncompleteSignature("The signature nonce is empty.");
        }

        if (!_nonces.TryAdd(nonce, true))
        {
            throw new FakeCloudException(400, "SignatureNonceUsed", $"Specified signature nonce was used already: {nonce}.");
        }
    }

    private void CheckSecurityToken(string? token)
    {
        if (token == options.SecurityToken)
        {
            return;
        }

        var detail = (options.SecurityToken, token) switch
        {
            (null, _) => "a security token was sent, but this AccessKey is not an STS credential.",
            (_, null) => "this STS AccessKey requires its security token, which was not sent.",
            _ => "the security token does not belong to this AccessKey.",
        };
        throw new FakeCloudException(400, "InvalidSecurityToken.MismatchWithAccessKey", "Specified SecurityToken mismatch with the AccessKey: " + detail);
    }
}
