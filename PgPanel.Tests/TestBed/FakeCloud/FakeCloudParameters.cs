using System.Globalization;
using System.Text.Json;

namespace PgPanel.Tests.TestBed.FakeCloud;

/// <summary>An action's view of the request parameters: required/optional values with the real API's error answers.</summary>
internal sealed class FakeCloudParameters(IReadOnlyDictionary<string, string> values)
{
    /// <summary>Common (signature and protocol) parameters: not part of what an idempotency token protects.</summary>
    private static readonly HashSet<string> Common = new(StringComparer.Ordinal)
    {
        "Action", "Version", "Format", "AccessKeyId", "Signature", "SignatureMethod", "SignatureVersion",
        "SignatureNonce", "SignatureType", "Timestamp", "SecurityToken", "ClientToken", "DryRun",
    };

    public IReadOnlyDictionary<string, string> Values => values;

    public string Required(string name) =>
        values.TryGetValue(name, out var value) && value.Length > 0 ? value : throw FakeCloudException.MissingParameter(name);

    public string? Optional(string name) => values.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    public int Int(string name, int defaultValue, int min, int max)
    {
        if (Optional(name) is not { } text)
        {
            return defaultValue;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw FakeCloudException.InvalidParameter(name, $"expected an integer from {min} to {max}, got \"{text}\".");
    }

    public bool Bool(string name) => Optional(name) switch
    {
        null => false,
        var text when string.Equals(text, "true", StringComparison.OrdinalIgnoreCase) => true,
        var text when string.Equals(text, "false", StringComparison.OrdinalIgnoreCase) => false,
        var text => throw FakeCloudException.InvalidParameter(name, $"expected true or false, got \"{text}\"."),
    };

    /// <summary>A parameter holding a JSON array of strings such as <c>["i-1","i-2"]</c> (null when absent).</summary>
    public IReadOnlyList<string>? JsonStrings(string name, int maxCount)
    {
        if (Optional(name) is not { } text)
        {
            return null;
        }

        string[]? items;
        try
        {
            items = JsonSerializer.Deserialize<string[]>(text);
        }
        catch (JsonException)
        {
            items = null;
        }

        if (items is null || items.Any(string.IsNullOrEmpty))
        {
            throw FakeCloudException.InvalidParameter(name, $"expected a JSON array of strings such as [\"a\",\"b\"], got {text}.");
        }

        return items.Length <= maxCount ? items : throw FakeCloudException.InvalidParameter(name, $"at most {maxCount} items.");
    }

    /// <summary>The business parameters (no common ones, no ClientToken/DryRun), sorted: what a ClientToken must see again unchanged.</summary>
    public string Fingerprint() =>
        string.Join('\n', values.Where(p => !Common.Contains(p.Key)).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + p.Value));
}
