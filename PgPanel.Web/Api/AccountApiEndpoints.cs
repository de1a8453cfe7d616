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

        // Admin: unlock, reset the password of, change the role of, and delete a user (never the last Admin).
        static IResult Outcome(IReadOnlyList<string>? errors, string userName, string what) => errors switch
        {
            null => Problems.NotFound($"User {userName}"),
            { Count: 0 } => Results.NoContent(),
            _ => Results.ValidationProblem(new Dictionary<string, string[]> { ["user"] = [.. errors] }, title: $"The user was not {what}."),
        };

        api.MapPost("/users/{userName}/unlock", async (string userName, AccountService accounts) =>
                Outcome(await accounts.UnlockAsync(userName), userName, "unlocked"))
            .RequireAuthorization(PanelRoles.CanAdminister)
            .WithName("UnlockUser")
            .WithSummary("End a user's lockout now (Admin only).");

        api.MapPut("/users/{userName}/password", async (string userName, NewPassword body, AccountService accounts) =>
                Outcome(await accounts.ResetPasswordAsync(userName, body.Password ?? ""), userName, "given a new password"))
            .RequireAuthorization(PanelRoles.CanAdminister)
            .WithName("ResetPassword")
            .WithSummary("Set a user's password (the password rules apply); ends a lockout and signs the user out elsewhere (Admin only).");

        api.MapPut("/users/{userName}/role", async (string userName, NewRole body, AccountService accounts) =>
                Outcome(await accounts.SetRoleAsync(userName, body.Role ?? ""), userName, "given the role"))
            .RequireAuthorization(PanelRoles.CanAdminister)
            .WithName("SetRole")
            .WithSummary("Give a user one role: Admin, Operator or Viewer; the last Admin stays Admin (Admin only).");

        api.MapDelete("/users/{userName}", async (string userName, AccountService accounts) =>
                Outcome(await accounts.DeleteUserAsync(userName), userName, "deleted"))
            .RequireAuthorization(PanelRoles.CanAdminister)
            .WithName("DeleteUser")
            .WithSummary("Delete a user and revoke its tokens; never the last Admin (Admin only).");

        api.MapGet("/tokens", async (ClaimsPrincipal user, AccountService accounts) =>
                user.FindFirstValue(ClaimTypes.NameIdentifier) is { } id
                    ? Results.Ok((await accounts.TokensAsync(id)).Select(t => new { t.Id, t.Name, t.Prefix, t.CreatedAt, t.LastUsedAt, t.ExpiresAt, t.RevokedAt }))
                    : Results.Ok(Array.Empty<object>()))
            .WithName("ListTokens")
            .WithSummary("Your API tokens (never the tokens themselves).");

        api.MapPost("/tokens", async (NewToken body, ClaimsPrincipal user, AccountService accounts) =>
            {
                if (user.FindFirstValue(ClaimTypes.NameIdentifier) is not { } id)
                {
                    return Results.Problem(title: "The bootstrap token belongs to no user; sign in as a user to make tokens.", statusCode: StatusCodes.Status400BadRequest);
                }

                if (body.ExpiresInDays is < 1 or > 3650)
                {
                    return Results.ValidationProblem(new Dictionary<string, string[]> { ["expiresInDays"] = ["A token expires after 1 to 3650 days; leave it out for a token that works until revoked."] },
                        title: "The token was not made.");
                }

                try
                {
                    var (token, clear) = await accounts.CreateTokenAsync(id, body.Name ?? "token", body.ExpiresInDays);
                    return Results.Created($"/api/tokens/{token.Id}", new { token.Id, token.Name, token.Prefix, token.ExpiresAt, token = clear });
                }
                catch (InvalidOperationException ex)
                {
                    return Results.ValidationProblem(new Dictionary<string, string[]> { ["name"] = [ex.Message] }, title: "The token was not made.");
                }
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

    public sealed record NewToken(string? Name, int? ExpiresInDays = null);

    public sealed record NewPassword(string? Password);

    public sealed record NewRole(string? Role);
}
