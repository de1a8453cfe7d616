using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PgPanel.Core.Runs;

namespace PgPanel.Core.Accounts;

/// <summary>Users, roles and per-user API tokens (stored as SHA-256 hashes).</summary>
public sealed class AccountService(IServiceScopeFactory scopes, IDbContextFactory<PanelDbContext> contexts, TimeProvider time)
{
    public const string TokenPrefix = "pgp_";

    public async Task EnsureRolesAsync()
    {
        await using var scope = scopes.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in PanelRoles.All)
        {
            if (!await roles.RoleExistsAsync(role).ConfigureAwait(false))
            {
                await roles.CreateAsync(new IdentityRole(role)).ConfigureAwait(false);
            }
        }
    }

    public async Task<bool> AnyUserAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Users.AnyAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates a user with one role; returns the errors Identity gives (password rules, duplicate name).</summary>
    public async Task<IReadOnlyList<string>> CreateUserAsync(string userName, string password, string role)
    {
        if (!PanelRoles.All.Contains(role))
        {
            return [$"Unknown role {role}; use {string.Join(", ", PanelRoles.All)}."];
        }

        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PanelUser>>();
        var user = new PanelUser { UserName = userName };
        var created = await users.CreateAsync(user, password).ConfigureAwait(false);
        if (!created.Succeeded)
        {
            return created.Errors.Select(e => e.Description).ToList();
        }

        var added = await users.AddToRoleAsync(user, role).ConfigureAwait(false);
        return added.Succeeded ? [] : added.Errors.Select(e => e.Description).ToList();
    }

    /// <summary>The first admin, from PgPanel:Bootstrap:AdminPassword or the first-start form, only while there is no user.</summary>
    public async Task<IReadOnlyList<string>> BootstrapAdminAsync(string password, CancellationToken cancellationToken = default)
    {
        if (await AnyUserAsync(cancellationToken).ConfigureAwait(false))
        {
            return ["An administrator exists already."];
        }

        return await CreateUserAsync("admin", password, PanelRoles.Admin).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<(string UserName, IReadOnlyList<string> Roles, bool LockedOut)>> ListUsersAsync()
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PanelUser>>();
        var result = new List<(string, IReadOnlyList<string>, bool)>();
        foreach (var user in await users.Users.OrderBy(u => u.UserName).ToListAsync().ConfigureAwait(false))
        {
            result.Add((user.UserName!, (await users.GetRolesAsync(user).ConfigureAwait(false)).ToList(), await users.IsLockedOutAsync(user).ConfigureAwait(false)));
        }

        return result;
    }

    /// <summary>Makes a token for a user: the clear token is returned once and never stored.</summary>
    public async Task<(ApiToken Token, string Clear)> CreateTokenAsync(string userId, string name, CancellationToken cancellationToken = default)
    {
        var clear = TokenPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var token = new ApiToken
        {
            Id = Guid.NewGuid(), UserId = userId, Name = name.Trim().Length == 0 ? "token" : name.Trim()[..Math.Min(100, name.Trim().Length)],
            Hash = Hash(clear), Prefix = clear[..10], CreatedAt = time.GetUtcNow(),
        };
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        db.ApiTokens.Add(token);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return (token, clear);
    }

    public async Task<IReadOnlyList<ApiToken>> TokensAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.ApiTokens.AsNoTracking().Where(t => t.UserId == userId).OrderBy(t => t.CreatedAt).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Revokes a token of the user (or any token, for an admin). False when there is no such token.</summary>
    public async Task<bool> RevokeTokenAsync(Guid id, string userId, bool isAdmin, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.Id == id && (isAdmin || t.UserId == userId), cancellationToken).ConfigureAwait(false);
        if (token is null)
        {
            return false;
        }

        token.RevokedAt ??= time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>The user a live token belongs to, with their roles; null for an unknown or revoked token.</summary>
    public async Task<(PanelUser User, IList<string> Roles)?> ValidateTokenAsync(string clear, CancellationToken cancellationToken = default)
    {
        if (!clear.StartsWith(TokenPrefix, StringComparison.Ordinal) || clear.Length > 100)
        {
            return null;
        }

        var hash = Hash(clear);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.Hash == hash && t.RevokedAt == null, cancellationToken).ConfigureAwait(false);
        if (token is null)
        {
            return null;
        }

        token.LastUsedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PanelUser>>();
        var user = await users.FindByIdAsync(token.UserId).ConfigureAwait(false);
        return user is null || await users.IsLockedOutAsync(user).ConfigureAwait(false) ? null : (user, await users.GetRolesAsync(user).ConfigureAwait(false));
    }

    private static string Hash(string clear) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(clear)));
}
