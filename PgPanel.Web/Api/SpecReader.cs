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
        catch (BadHttpRequestException ex)
        {
            // A chunked body the server cut off at the size limit (413), or a body that stopped arriving.
            return (null, Results.Problem(statusCode: ex.StatusCode, title: ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request body too large" : "Bad request", detail: ex.Message));
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "$" : ex.Path.TrimStart('$', '.');
            var message = ex.Message.Split(" Path:", 2)[0];
            return (null, Problems.Validation(new Dictionary<string, string[]> { [field] = [message] }));
        }
    }
}
