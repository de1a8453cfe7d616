namespace PgPanel.Tests.TestBed.FakeCloud;

/// <summary>An OpenAPI error answer (<c>Code</c>, <c>Message</c>, HTTP status), thrown by the fake's checks and actions.</summary>
internal sealed class FakeCloudException(int httpStatus, string code, string message) : Exception(message)
{
    public int HttpStatus { get; } = httpStatus;

    public string Code { get; } = code;

    public static FakeCloudException MissingParameter(string name) =>
        new(400, "MissingParameter", $"The input parameter \"{name}\" that is mandatory for processing this request is not supplied.");

    public static FakeCloudException InvalidParameter(string name, string detail) =>
        new(400, "InvalidParameter", $"The specified parameter \"{name}\" is not valid: {detail}");

    public static FakeCloudException IncompleteSignature(string detail) =>
        new(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards. " + detail);
}
