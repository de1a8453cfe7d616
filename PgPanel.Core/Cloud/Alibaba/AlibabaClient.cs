using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PgPanel.Core.Cloud.Alibaba;

/// <summary>
/// Calls the Alibaba Cloud RPC APIs (ECS, VPC) over plain HttpClient: signs each attempt (new date and nonce),
/// retries throttling and 5xx with jittered exponential backoff honouring x-acs-retry-after, maps JSON and XML error
/// bodies to <see cref="AlibabaApiException"/>. A call that creates something is retried only when it carries a
/// ClientToken, so a retry can never create a second resource.
/// </summary>
public sealed partial class AlibabaClient(IHttpClientFactory httpClients, IOptions<AlibabaOptions> options, TimeProvider time, ILogger<AlibabaClient> logger)
{
    public const string HttpClientName = "alibaba";

    public const string EcsVersion = "2014-05-26";

    public const string VpcVersion = "2016-04-28";

    private static readonly HashSet<string> CreatingActions = new(StringComparer.Ordinal) { "RunInstances", "AllocateEipAddress", "CreateInstance" };

    private static readonly HashSet<string> CentralVpcRegions = new(StringComparer.Ordinal)
    {
        "cn-qingdao", "cn-beijing", "cn-hangzhou", "cn-shanghai", "cn-shenzhen", "cn-hongkong", "ap-southeast-1", "us-east-1", "us-west-1",
    };

    /// <summary>Parameters never written to a run's log.</summary>
    private static readonly HashSet<string> SecretParameters = new(StringComparer.OrdinalIgnoreCase) { "Password", "SecurityToken" };

    /// <summary>The endpoint URL for an API and region (configuration first).</summary>
    public Uri EndpointOf(AlibabaApi api, string regionId)
    {
        var configured = api == AlibabaApi.Ecs ? options.Value.EcsEndpoint : options.Value.VpcEndpoint;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new Uri(configured.Contains("://", StringComparison.Ordinal) ? configured : "https://" + configured);
        }

        return api switch
        {
            AlibabaApi.Ecs when regionId == "cn-hangzhou" => new Uri("https://ecs-cn-hangzhou.aliyuncs.com"),
            AlibabaApi.Ecs => new Uri($"https://ecs.{regionId}.aliyuncs.com"),
            _ when CentralVpcRegions.Contains(regionId) => new Uri("https://vpc.aliyuncs.com"),
            _ => new Uri($"https://vpc.{regionId}.aliyuncs.com"),
        };
    }

    /// <summary>
    /// One API call. <paramref name="trace"/> receives a line per attempt (action, parameters without secrets,
    /// RequestId or error code), for the run's audit trail.
    /// </summary>
    public async Task<JsonElement> CallAsync(
        AlibabaApi api, string action, string regionId, IReadOnlyDictionary<string, string> parameters, AlibabaCredentials credentials,
        Action<string>? trace = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(credentials);
        var endpoint = EndpointOf(api, regionId);
        var version = api == AlibabaApi.Ecs ? EcsVersion : VpcVersion;
        var safeToRetry = !CreatingActions.Contains(action) || parameters.ContainsKey("ClientToken");
        var shown = string.Join(' ', parameters.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{p.Key}={(SecretParameters.Contains(p.Key) ? Security.Secret.Mask : p.Value)}"));
        for (var attempt = 0; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var (root, requestId) = await SendAsync(endpoint, api, action, version, parameters, credentials, cancellationToken).ConfigureAwait(false);
                trace?.Invoke($"{action} {shown} → OK, RequestId {requestId ?? "–"}");
                return root;
            }
            catch (AlibabaApiException ex) when (!ex.IsDryRunPassed)
            {
                var throttled = ex.Code.StartsWith("Throttling", StringComparison.Ordinal);
                var retry = ex.IsRetryable && attempt < options.Value.MaxRetries && (safeToRetry || throttled);
                var delay = retry ? RetryDelay(attempt, ex) : TimeSpan.Zero;
                trace?.Invoke($"{action} {shown} → {ex.Code} (HTTP {ex.HttpStatus}), RequestId {ex.RequestId ?? "–"}: {ex.ApiMessage}" +
                    (retry ? $"; retry {attempt + 1} of {options.Value.MaxRetries} in {delay.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s" : ""));
                Log.CallFailed(logger, action, ex.Code, ex.RequestId, attempt);
                if (!retry)
                {
                    throw;
                }

                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            }
            catch (AlibabaApiException ex)
            {
                trace?.Invoke($"{action} {shown} → DryRunOperation: the request would succeed, RequestId {ex.RequestId ?? "–"}");
                throw;
            }
        }
    }

    /// <summary>Runs a DryRun call: returns when the API says it would succeed, throws its error otherwise.</summary>
    public async Task DryRunAsync(
        AlibabaApi api, string action, string regionId, IReadOnlyDictionary<string, string> parameters, AlibabaCredentials credentials,
        Action<string>? trace = null, CancellationToken cancellationToken = default)
    {
        var dry = new Dictionary<string, string>(parameters, StringComparer.Ordinal) { ["DryRun"] = "true" };
        try
        {
            await CallAsync(api, action, regionId, dry, credentials, trace, cancellationToken).ConfigureAwait(false);
            throw new AlibabaApiException("DryRunNotHonoured", "The API carried out a DryRun request instead of only checking it.", null, 200, action);
        }
        catch (AlibabaApiException ex) when (ex.IsDryRunPassed)
        {
            // The request is valid, allowed and within quota.
        }
    }

    private TimeSpan RetryDelay(int attempt, AlibabaApiException error)
    {
        if (error.RetryAfter is { } retryAfter)
        {
            return retryAfter;
        }

        var ceiling = options.Value.BackoffBaseMilliseconds * Math.Pow(2, attempt);
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }

    private async Task<(JsonElement Root, string? RequestId)> SendAsync(
        Uri endpoint, AlibabaApi api, string action, string version, IReadOnlyDictionary<string, string> parameters,
        AlibabaCredentials credentials, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var nonce = Guid.NewGuid().ToString("N");
        var host = endpoint.IsDefaultPort ? endpoint.Host : $"{endpoint.Host}:{endpoint.Port}";
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint);
        if (options.Value.SignatureVersion == AcsSignatureVersion.V1)
        {
            var query = AcsSigner.SignV1("POST", action, version, parameters, credentials, now, nonce);
            request.RequestUri = new Uri(endpoint, "/?" + AcsPercentEncoder.CanonicalQuery(query));
        }
        else
        {
            var signature = AcsSigner.SignV3("POST", host, action, version, parameters, credentials, now, nonce);
            request.RequestUri = new Uri(endpoint, "/" + (parameters.Count == 0 ? "" : "?" + AcsPercentEncoder.CanonicalQuery(parameters)));
            foreach (var (name, value) in signature.Headers)
            {
                if (name == "host")
                {
                    request.Headers.Host = value;
                }
                else
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }
            }
        }

        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.ConnectTimeoutSeconds + options.Value.ReadTimeoutSeconds));
        HttpResponseMessage response;
        string body;
        try
        {
            response = await httpClients.CreateClient(HttpClientName).SendAsync(request, timeout.Token).ConfigureAwait(false);
            body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AlibabaApiException("Transport", $"No answer from {endpoint.Host} within {options.Value.ConnectTimeoutSeconds + options.Value.ReadTimeoutSeconds} s.", null, 0, action, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new AlibabaApiException("Transport", $"Cannot reach {endpoint.Host} ({api}): {ex.Message}", null, 0, action, ex);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode && TryParseJson(body, out var root))
            {
                return (root, root.TryGetProperty("RequestId", out var id) ? id.GetString() : null);
            }

            TimeSpan? retryAfter = response.Headers.TryGetValues("x-acs-retry-after", out var values) &&
                int.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) && ms >= 0
                ? TimeSpan.FromMilliseconds(ms) : null;

            // An error may echo what was signed (a V1 string-to-sign carries an STS token): never pass a credential on.
            foreach (var secret in new[] { credentials.AccessKeySecret, credentials.SecurityToken }.OfType<Security.Secret>().Where(s => s.Length > 0))
            {
                body = body.Replace(secret.Reveal(), Security.Secret.Mask, StringComparison.Ordinal);
            }

            throw ParseError(body, status, action, retryAfter);
        }
    }

    /// <summary>The error of a non-2xx answer: JSON {Code, Message, RequestId}, XML &lt;Error&gt;, or the HTTP status.</summary>
    public static AlibabaApiException ParseError(string body, int status, string action, TimeSpan? retryAfter = null)
    {
        if (TryParseJson(body, out var json) && json.TryGetProperty("Code", out var code))
        {
            return new AlibabaApiException(code.GetString() ?? $"Http{status}",
                json.TryGetProperty("Message", out var m) ? m.GetString() ?? "" : "",
                json.TryGetProperty("RequestId", out var r) ? r.GetString() : null, status, action) { RetryAfter = retryAfter };
        }

        if (body.TrimStart().StartsWith('<'))
        {
            try
            {
                var xml = XDocument.Parse(body).Root;
                if (xml?.Element("Code")?.Value is { Length: > 0 } xmlCode)
                {
                    return new AlibabaApiException(xmlCode, xml.Element("Message")?.Value ?? "", xml.Element("RequestId")?.Value, status, action) { RetryAfter = retryAfter };
                }
            }
            catch (System.Xml.XmlException)
            {
                // Not XML after all: fall through.
            }
        }

        var excerpt = body.Length > 200 ? body[..200] + "…" : body;
        return new AlibabaApiException(status is >= 200 and < 300 ? "InvalidResponse" : $"Http{status}", excerpt, null, status, action) { RetryAfter = retryAfter };
    }

    private static bool TryParseJson(string body, out JsonElement root)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            root = document.RootElement.Clone();
            return root.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            root = default;
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1401, Level = LogLevel.Warning, Message = "Alibaba Cloud {Action} failed with {Code} (RequestId {RequestId}, attempt {Attempt})")]
        public static partial void CallFailed(ILogger logger, string action, string code, string? requestId, int attempt);
    }
}
