using System.Text.Json;
using PgPanel.Core;
using PgPanel.Core.Hosts;
using PgPanel.Core.Specs;

namespace PgPanel.Web.Api;

public static class HostEndpoints
{
    public static RouteGroupBuilder MapHostEndpoints(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapPost("/hosts/probe", async (HttpRequest request, HostService hosts, CancellationToken cancellationToken) =>
            {
                NodeSpec? node;
                try
                {
                    node = await JsonSerializer.DeserializeAsync<NodeSpec>(request.Body, PanelJson.Options, cancellationToken);
                }
                catch (JsonException ex)
                {
                    return Problems.Validation(new Dictionary<string, string[]> { [string.IsNullOrEmpty(ex.Path) ? "$" : ex.Path.TrimStart('$', '.')] = [ex.Message.Split(" Path:", 2)[0]] });
                }

                if (node is null)
                {
                    return Problems.Validation(new Dictionary<string, string[]> { ["$"] = ["The body must be a node: host, port, connection."] });
                }

                var validation = SpecValidator.ValidateNode(node);
                if (!validation.IsValid)
                {
                    return Problems.Validation(validation.Errors.ToDictionary());
                }

                return Results.Ok(await hosts.ProbeAsync(node, cancellationToken));
            })
            .RequireAuthorization(Core.Accounts.PanelRoles.CanOperate)
            .WithName("ProbeHost")
            .WithSummary("Connect to a node's host and report its OS, PostgreSQL installs, systemd, free space and SSH host key. Changes nothing.")
            .Accepts<NodeSpec>("application/json")
            .Produces<HostProbeResult>()
            .ProducesValidationProblem();
        return api;
    }
}
