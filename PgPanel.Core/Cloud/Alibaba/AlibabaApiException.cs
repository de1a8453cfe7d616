namespace PgPanel.Core.Cloud.Alibaba;

/// <summary>An error answered by the Alibaba Cloud API (or the transport): branch on <see cref="Code"/>, not on the HTTP status.</summary>
public sealed class AlibabaApiException : Exception
{
    public AlibabaApiException()
    {
        Code = "Unknown";
        ApiMessage = "";
        Action = "";
    }

    public AlibabaApiException(string message)
        : this("Unknown", message, null, 0, "")
    {
    }

    public AlibabaApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = "Transport";
        ApiMessage = message;
        Action = "";
    }

    public AlibabaApiException(string code, string apiMessage, string? requestId, int httpStatus, string action, Exception? innerException = null)
        : base($"{action}: {code}: {apiMessage}{(requestId is null ? "" : $" (RequestId {requestId})")}", innerException)
    {
        Code = code;
        ApiMessage = apiMessage;
        RequestId = requestId;
        HttpStatus = httpStatus;
        Action = action;
    }

    public string Code { get; }

    public string ApiMessage { get; }

    public string? RequestId { get; }

    public int HttpStatus { get; }

    public string Action { get; }

    /// <summary>How long the API asked to wait before a retry (x-acs-retry-after), when it said.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>A DryRun call that would have succeeded.</summary>
    public bool IsDryRunPassed => Code == "DryRunOperation";

    /// <summary>Throttling, a busy or failing service, or a 5xx: worth another try.</summary>
    public bool IsRetryable =>
        Code.StartsWith("Throttling", StringComparison.Ordinal) || Code is "ServiceUnavailable" or "InternalError" or "Transport" ||
        HttpStatus is 500 or 502 or 503 or 504;

    /// <summary>The AccessKey or signature was refused: retrying will not help, the credentials must change.</summary>
    public bool IsCredentialError =>
        Code.StartsWith("InvalidAccessKeyId", StringComparison.Ordinal) || Code is "SignatureDoesNotMatch" or "IncompleteSignature" ||
        Code.StartsWith("InvalidSecurityToken", StringComparison.Ordinal) || Code.StartsWith("Forbidden", StringComparison.Ordinal);
}
