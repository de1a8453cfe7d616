using System.Text.Json;
using System.Text.Json.Serialization;

namespace PgPanel.Core.Text;

/// <summary>Writes an enum as kebab-case text ("catching-up"), the form the API and /metrics use for states.</summary>
public sealed class KebabCaseEnumConverter<T>() : JsonStringEnumConverter<T>(JsonNamingPolicy.KebabCaseLower)
    where T : struct, Enum;
