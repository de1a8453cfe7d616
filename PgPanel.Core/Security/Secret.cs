using System.Text.Json;
using System.Text.Json.Serialization;

namespace PgPanel.Core.Security;

/// <summary>
/// A secret value (password, key, token). It is a type of its own so that nothing prints it by accident:
/// <see cref="ToString"/> is redacted and JSON serialization never writes the value back out.
/// </summary>
[JsonConverter(typeof(SecretJsonConverter))]
public sealed class Secret : IEquatable<Secret>
{
    public const string Mask = "********";

    private readonly string _value;

    public Secret(string value) => _value = value ?? throw new ArgumentNullException(nameof(value));

    /// <summary>The clear text. Call only where the value is handed to the thing that needs it.</summary>
    public string Reveal() => _value;

    public int Length => _value.Length;

    public override string ToString() => Mask;

    public bool Equals(Secret? other) => other is not null &&
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(_value), System.Text.Encoding.UTF8.GetBytes(other._value));

    public override bool Equals(object? obj) => obj is Secret s && Equals(s);

    public override int GetHashCode() => 0;
}

/// <summary>Reads a secret from a JSON string; always writes null, so a secret never leaves in a response.</summary>
public sealed class SecretJsonConverter : JsonConverter<Secret>
{
    public override Secret? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.String => new Secret(reader.GetString()!),
            _ => throw new JsonException("A secret must be a JSON string."),
        };

    public override void Write(Utf8JsonWriter writer, Secret value, JsonSerializerOptions options) => writer.WriteNullValue();
}
