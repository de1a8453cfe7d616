using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;

namespace PgPanel.Tests.TestBed.FakeCloud;

/// <summary>
/// What the fake answers: a JSON body, or XML (<c>&lt;ActionResponse&gt;</c> / <c>&lt;Error&gt;</c>, arrays as repeated
/// elements as the real API renders them) when the request asked for Format=XML.
/// </summary>
internal sealed record FakeCloudAnswer(int HttpStatus, string? Code, JsonObject Body, string XmlRoot, bool Xml, int? RetryAfterMs = null)
{
    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static FakeCloudAnswer Success(string action, JsonObject body, bool xml)
    {
        var answer = new JsonObject { ["RequestId"] = NewRequestId() };
        foreach (var (name, value) in body.ToList())
        {
            body.Remove(name);
            answer[name] = value;
        }

        return new FakeCloudAnswer(200, null, answer, action + "Response", xml);
    }

    public static FakeCloudAnswer Error(int httpStatus, string code, string message, string host, bool xml, int? retryAfterMs = null) =>
        new(httpStatus, code, new JsonObject
        {
            ["RequestId"] = NewRequestId(),
            ["HostId"] = host,
            ["Code"] = code,
            ["Message"] = message,
            ["Recommend"] = "",
        }, "Error", xml, retryAfterMs);

    public async Task WriteAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        response.StatusCode = HttpStatus;
        response.Headers["x-acs-request-id"] = (string?)Body["RequestId"];
        if (RetryAfterMs is { } retryAfter)
        {
            response.Headers["x-acs-retry-after"] = retryAfter.ToString(CultureInfo.InvariantCulture);
        }

        string text;
        if (Xml)
        {
            response.ContentType = "text/xml;charset=utf-8";
            text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + new XElement(XmlRoot, Elements(Body)).ToString(SaveOptions.DisableFormatting);
        }
        else
        {
            response.ContentType = "application/json;charset=utf-8";
            text = Body.ToJsonString(JsonOptions);
        }

        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken).ConfigureAwait(false);
    }

    private static string NewRequestId() => Guid.NewGuid().ToString().ToUpperInvariant();

    private static IEnumerable<XElement> Elements(JsonObject node) => node.SelectMany(p => p.Value is JsonArray array
        ? array.Select(item => Element(p.Key, item))
        : [Element(p.Key, p.Value)]);

    private static XElement Element(string name, JsonNode? value) => value switch
    {
        JsonObject inner => new XElement(name, Elements(inner)),
        null => new XElement(name),
        _ => new XElement(name, value.GetValueKind() is JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString()),
    };
}
