using System.Text.Json;
using System.Text.Json.Serialization;
using PgPanel.Core;
using PgPanel.Core.Specs;

namespace PgPanel.Web.Api;

/// <summary>Reads a <see cref="ClusterSpec"/> from a request body; malformed JSON becomes a field error, not a 500.</summary>
internal static class SpecReader
{
    private static readonly JsonSerializerOptions Strict = new(PanelJson.Options)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static async Task<(ClusterSpec? Spec, IResult? Problem)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var spec = await JsonSerializer.DeserializeAsync<ClusterSpec>(request.Body, Strict, cancellationToken);
            return spec is null
                ? (null, Problems.Validation(new Dictionary<string, string[]> { ["$"] = ["The body must be a cluster spec object."] }))
                : (spec, null);
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "$" : ex.Path.TrimStart('$', '.');
            var message = ex.Message.Split(" Path:", 2)[0];
            return (null, Problems.Validation(new Dictionary<string, string[]> { [field] = [message] }));
        }
    }
}
