using Microsoft.AspNetCore.Http;

namespace PgPanel.Tests.TestBed.FakeCloud;

/// <summary>A request exactly as the fake received it: method, path, Host, headers, decoded query pairs and body.</summary>
internal sealed class FakeCloudRequest
{
    private readonly Dictionary<string, string> _headers;

    private FakeCloudRequest(string method, string path, Dictionary<string, string> headers, List<KeyValuePair<string, string>> query, byte[] body)
    {
        Method = method;
        Path = path;
        _headers = headers;
        Query = query;
        Body = body;
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in query)
        {
            DuplicateParameter ??= parameters.ContainsKey(key) ? key : null;
            parameters[key] = value;
        }

        Parameters = parameters;
    }

    public string Method { get; }

    public string Path { get; }

    public string Host => Header("host") ?? "";

    /// <summary>The query parameters in the order sent, percent-decoded (<c>+</c> read as a space, as the real servers do).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Query { get; }

    /// <summary>The decoded query by name (a repeated name keeps its last value and is reported by <see cref="DuplicateParameter"/>).</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }

    public string? DuplicateParameter { get; }

    public byte[] Body { get; }

    public bool WantsXml => Parameters.TryGetValue("Format", out var format) && string.Equals(format, "XML", StringComparison.OrdinalIgnoreCase);

    /// <summary>A header's value as received (several values joined by a comma), or null when absent.</summary>
    public string? Header(string name) => _headers.TryGetValue(name, out var value) ? value : null;

    public static async Task<FakeCloudRequest> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers)
        {
            headers[name] = values.ToString();
        }

        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, cancellationToken).ConfigureAwait(false);
        return new FakeCloudRequest(request.Method, request.Path.Value ?? "", headers, ParseQuery(request.QueryString.Value), body.ToArray());
    }

    private static List<KeyValuePair<string, string>> ParseQuery(string? raw)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        if (string.IsNullOrEmpty(raw))
        {
            return pairs;
        }

        foreach (var part in (raw[0] == '?' ? raw[1..] : raw).Split('&'))
        {
            if (part.Length == 0)
            {
                continue;
            }

            var equals = part.IndexOf('=', StringComparison.Ordinal);
            pairs.Add(equals < 0
                ? new(Decode(part), "")
                : new(Decode(part[..equals]), Decode(part[(equals + 1)..])));
        }

        return pairs;
    }

    private static string Decode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));
}
