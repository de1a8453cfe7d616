using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PgPanel.Core.Specs;

/// <summary>
/// A fixed choice of a spec as the text it has always been written as (its <see cref="JsonStringEnumMemberNameAttribute"/>,
/// else the camelCase name). Reads exactly those names and nothing else — no other case, no number, no "a, b" — so a
/// value outside the choice is a JSON error on its field, never an undefined enum value. Put on the property: the
/// options' general enum converter would otherwise take the type.
/// </summary>
public sealed class ExactEnumJsonConverter<T> : JsonConverter<T>
    where T : struct, Enum
{
    private static readonly (T Value, string Name)[] Choices = [.. Enum.GetValues<T>().Select(v => (v, NameFrom(v)))];

    /// <summary>The names a spec may hold, in declaration order.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Choices.Select(c => c.Name)];

    /// <summary>The text a value is written as ("private", "centos-7").</summary>
    public static string NameOf(T value)
    {
        foreach (var (choice, name) in Choices)
        {
            if (EqualityComparer<T>.Default.Equals(choice, value))
            {
                return name;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(value), value, $"Not a {typeof(T).Name}.");
    }

    /// <summary>The value written as exactly <paramref name="text"/> (ordinal), if any.</summary>
    public static bool TryParse(string? text, out T value)
    {
        foreach (var (choice, name) in Choices)
        {
            if (string.Equals(name, text, StringComparison.Ordinal))
            {
                value = choice;
                return true;
            }
        }

        value = default;
        return false;
    }

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && TryParse(reader.GetString(), out var value)
            ? value
            : throw new JsonException($"Choose one of {string.Join(", ", Names)}.");

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(NameOf(value));
    }

    private static string NameFrom(T value)
    {
        var member = typeof(T).GetField(value.ToString(), BindingFlags.Public | BindingFlags.Static)!;
        return member.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(member.Name);
    }
}
