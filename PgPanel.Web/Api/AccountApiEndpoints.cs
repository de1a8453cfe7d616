using System.Security.Claims;
using PgPanel.Core.Accounts;

namespace PgPanel.Web.Api;

public static class AccountApiEndpoints
{
    public static RouteGroupBuilder MapAccountApiEndpoints(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet("/users", async (AccountService accounts) =>
                Results.Ok((await accounts.ListUsersAsync()).Select(u => new { userName = u.UserName, roles = u.Roles, lockedOut = u.LockedOut })))
            .RequireAuthorization(PanelRoles.CanAdminister)
            .WithName("ListUsers")
            .WithSummary("Users with their roles (Admin only).");

        api.MapPost("/users", async (NewUser body, AccountService accounts) =>
            {
                var errors = await accounts.CreateUserAsync(body.UserName ?? "", body.Password ?? "", body.Role ?? "");
                return errors.Count == 0
                    ? Results.Created($"/api/users/{body.UserName}", new { userName = body.UserName, role = body.Role })
                    : Results.ValidationProblem(new Dictionary<string, string[]> { ["user"] = [.. errors] }, title: "The user was not created.");
            })
            .RequireAuthorization(PanelRoles.CanAdminister)
            .WithName("CreateUser")
            .WithSummary("Create a user with one role: Admin, Operator or Viewer (Admin only).");

        api.MapGet("/tokens", async (ClaimsPrincipal user, AccountService accounts) =>
                user.FindFirstValue(ClaimTypes.NameIdentifier) is { } id
                    ? Results.Ok((await accounts.TokensAsync(id)).Select(t => new { t.Id, t.Name, t.Prefix, t.CreatedAt, t.LastUsedAt, t.RevokedAt }))
                    : Results.Ok(Array.Empty<object>()))
            .WithName("ListTokens")
            .WithSummary("Your API tokens (never the tokens themselves).");

        api.MapPost("/tokens", async (NewToken body, ClaimsPrincipal user, AccountService accounts) =>
            {
                if (user.FindFirstValue(ClaimTypes.NameIdentifier) is not { } id)
                {
                    return Results.Problem(title: "The bootstrap token belongs to no user; sign in as a user to make tokens.", statusCode: StatusCodes.Status400BadRequest);
                }

                var (token, clear) = await accounts.CreateTokenAsync(id, body.Name ?? "token");
                return Results.Created($"/api/tokens/{token.Id}", new { token.Id, token.Name, token.Prefix, token = clear });
            })
            .WithName("CreateToken")
            .WithSummary("Make an API token for yourself; the token is in this answer only.");

        api.MapDelete("/tokens/{id:guid}", async (Guid id, ClaimsPrincipal user, AccountService accounts) =>
                await accounts.RevokeTokenAsync(id, user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "", user.IsInRole(PanelRoles.Admin))
                    ? Results.NoContent()
                    : Problems.NotFound($"Token {id}"))
            .WithName("RevokeToken")
            .WithSummary("Revoke one of your tokens (an Admin may revoke any).");
        return api;
    }

    public sealed record NewUser(string? UserName, string? Password, string? Role);

    public sealed record NewToken(string? Name);
}
