using System.Text.Json.Serialization;

namespace PgPanel.Core.Monitoring;

/// <summary>Source-generated JSON reading of node documents: no reflection on the hot path of every sample.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(NodeReading))]
internal sealed partial class MonitorJsonContext : JsonSerializerContext;
