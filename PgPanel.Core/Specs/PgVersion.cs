using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PgPanel.Core.Specs;

/// <summary>A PostgreSQL major version: 9.5, 9.6, 10 … 18. Ordered; JSON as a number (15, 9.5) or a string ("9.6").</summary>
[JsonConverter(typeof(PgVersionJsonConverter))]
public readonly record struct PgVersion(int Major, int Minor) : IComparable<PgVersion>
{
    public static readonly PgVersion V9_5 = new(9, 5);
    public static readonly PgVersion V9_6 = new(9, 6);
    public static readonly PgVersion Oldest = V9_5;
    public static readonly PgVersion Newest = new(18, 0);

    /// <summary>Every major version PgPanel plans for.</summary>
    public static IReadOnlyList<PgVersion> Supported { get; } =
        [V9_5, V9_6, .. Enumerable.Range(10, 9).Select(m => new PgVersion(m, 0))];

    /// <summary>A number that orders versions: 905, 906, 1000, … as PostgreSQL's server_version_num / 100.</summary>
    public int Ordinal => Major * 100 + Minor;

    public bool IsSupported => Supported.Contains(this);

    /// <summary>"9.5" or "15": the form used in package names and paths.</summary>
    public override string ToString() => Major >= 10 ? Major.ToString(CultureInfo.InvariantCulture) : $"{Major}.{Minor}";

    /// <summary>"95" or "15": the form in RHEL package names (postgresql95-server).</summary>
    public string Compact => Major >= 10 ? ToString() : $"{Major}{Minor}";

    public int CompareTo(PgVersion other) => Ordinal.CompareTo(other.Ordinal);

    public static bool operator <(PgVersion a, PgVersion b) => a.Ordinal < b.Ordinal;
    public static bool operator >(PgVersion a, PgVersion b) => a.Ordinal > b.Ordinal;
    public static bool operator <=(PgVersion a, PgVersion b) => a.Ordinal <= b.Ordinal;
    public static bool operator >=(PgVersion a, PgVersion b) => a.Ordinal >= b.Ordinal;

    public static PgVersion Of(int major) => new(major, 0);

    /// <summary>Parses "9.5", "15", "15.4" (minor releases of 10+ map to the major), "9.6.24".</summary>
    public static bool TryParse(string? text, out PgVersion version)
    {
        version = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var parts = text.Trim().Split('.');
        if (parts.Length is < 1 or > 3 || !parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit)))
        {
            return false;
        }

        var major = int.Parse(parts[0], CultureInfo.InvariantCulture);
        if (major >= 10)
        {
            version = new PgVersion(major, 0);
            return true;
        }

        if (parts.Length < 2)
        {
            return false;
        }

        version = new PgVersion(major, int.Parse(parts[1], CultureInfo.InvariantCulture));
        return true;
    }
}

public sealed class PgVersionJsonConverter : JsonConverter<PgVersion>
{
    public override PgVersion Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType switch
        {
            JsonTokenType.Number => reader.GetDecimal().ToString(CultureInfo.InvariantCulture),
            JsonTokenType.String => reader.GetString(),
            _ => null,
        };
        return PgVersion.TryParse(text, out var version)
            ? version
            : throw new JsonException($"'{text}' is not a PostgreSQL major version such as 9.5 or 15.");
    }

    public override void Write(Utf8JsonWriter writer, PgVersion value, JsonSerializerOptions options)
    {
        if (value.Major >= 10)
        {
            writer.WriteNumberValue(value.Major);
        }
        else
        {
            writer.WriteRawValue(value.ToString());
        }
    }
}
