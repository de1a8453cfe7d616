using System.Text;

namespace PgPanel.Core.Cloud.Alibaba;

/// <summary>
/// Alibaba Cloud's percent-encoding for both signatures: UTF-8 bytes; <c>A-Z a-z 0-9 - _ . ~</c> kept, everything else
/// <c>%XX</c> in uppercase hex (space is %20, never +; * is %2A).
/// </summary>
public static class AcsPercentEncoder
{
    public static string Encode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var bytes = Encoding.UTF8.GetBytes(value);
        var text = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9')
                or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }

    /// <summary>Parameters sorted by key (ordinal), each <c>key=value</c> encoded, joined by &amp;.</summary>
    public static string CanonicalQuery(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return string.Join('&', parameters
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{Encode(p.Key)}={Encode(p.Value)}"));
    }
}
