using System.Text.Json;
using System.Text.Json.Serialization;
using PgPanel.Core.Records;
using PgPanel.Core.Text;

namespace PgPanel.Core;

/// <summary>The one JSON shape of the panel: camelCase, enums as camelCase strings (a standby's state in kebab case).</summary>
public static class PanelJson
{
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        if (!options.Converters.OfType<JsonStringEnumConverter>().Any())
        {
            // A standby's state reads as the contract names it ("catching-up", "replay-paused"); options' converters come
            // before the enum's own [JsonConverter], so it is named here.
            options.Converters.Add(new KebabCaseEnumConverter<StandbyState>());
            options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        }

        return options;
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"Expected a {typeof(T).Name}, found null.");
}
