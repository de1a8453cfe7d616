using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PgPanel.Core.Persistence;
using PgPanel.Core.Records;

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

    /// <summary>Ends a lockout now (and forgets the wrong passwords counted towards the next one). Null: no such user.</summary>
    public Task<IReadOnlyList<string>?> UnlockAsync(string userName) =>
        WithUserAsync(userName, async (users, user) =>
        {
            var unlocked = await users.SetLockoutEndDateAsync(user, null).ConfigureAwait(false);
            if (unlocked.Succeeded)
            {
                unlocked = await users.ResetAccessFailedCountAsync(user).ConfigureAwait(false);
            }

            return Errors(unlocked);
        });

    /// <summary>Sets a new password (checked by the password rules before the old one is removed) and ends a lockout.</summary>
    public Task<IReadOnlyList<string>?> ResetPasswordAsync(string userName, string password) =>
        WithUserAsync(userName, async (users, user) =>
        {
            var problems = new List<string>();
            foreach (var validator in users.PasswordValidators)
            {
                problems.AddRange(Errors(await validator.ValidateAsync(users, user, password).ConfigureAwait(false)));
            }

            if (problems.Count > 0)
            {
                return problems;
            }

            var removed = await users.RemovePasswordAsync(user).ConfigureAwait(false);
            var added = removed.Succeeded ? await users.AddPasswordAsync(user, password).ConfigureAwait(false) : removed;
            if (added.Succeeded)
            {
                await users.SetLockoutEndDateAsync(user, null).ConfigureAwait(false);
                await users.ResetAccessFailedCountAsync(user).ConfigureAwait(false);
                await users.UpdateSecurityStampAsync(user).ConfigureAwait(false);
            }

            return Errors(added);
        });

    /// <summary>Gives a user exactly one role. The last Admin keeps the Admin role.</summary>
    public Task<IReadOnlyList<string>?> SetRoleAsync(string userName, string role) =>
        WithUserAsync(userName, async (users, user) =>
        {
            if (!PanelRoles.All.Contains(role))
            {
                return [$"Unknown role {role}; use {string.Join(", ", PanelRoles.All)}."];
            }

            var current = await users.GetRolesAsync(user).ConfigureAwait(false);
            if (role != PanelRoles.Admin && current.Contains(PanelRoles.Admin) && await IsLastAdminAsync(users).ConfigureAwait(false))
            {
                return [$"{userName} is the last Admin; make another user Admin first."];
            }

            var removed = await users.RemoveFromRolesAsync(user, current).ConfigureAwait(false);
            var added = removed.Succeeded ? await users.AddToRoleAsync(user, role).ConfigureAwait(false) : removed;
            if (added.Succeeded)
            {
                // Signed-in sessions pick up the new role at their next validation.
                await users.UpdateSecurityStampAsync(user).ConfigureAwait(false);
            }

            return Errors(added);
        });

    /// <summary>Deletes a user and revokes its tokens. The last Admin cannot be deleted.</summary>
    public Task<IReadOnlyList<string>?> DeleteUserAsync(string userName) =>
        WithUserAsync(userName, async (users, user) =>
        {
            if ((await users.GetRolesAsync(user).ConfigureAwait(false)).Contains(PanelRoles.Admin) && await IsLastAdminAsync(users).ConfigureAwait(false))
            {
                return [$"{userName} is the last Admin and cannot be deleted."];
            }

            await using (var db = await contexts.CreateDbContextAsync().ConfigureAwait(false))
            {
                await db.ApiTokens.Where(t => t.UserId == user.Id && t.RevokedAt == null)
                    .ExecuteUpdateAsync(set => set.SetProperty(t => t.RevokedAt, time.GetUtcNow())).ConfigureAwait(false);
            }

            return Errors(await users.DeleteAsync(user).ConfigureAwait(false));
        });

    private async Task<IReadOnlyList<string>?> WithUserAsync(string userName, Func<UserManager<PanelUser>, PanelUser, Task<IReadOnlyList<string>>> action)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PanelUser>>();
        var user = await users.FindByNameAsync(userName).ConfigureAwait(false);
        return user is null ? null : await action(users, user).ConfigureAwait(false);
    }

    private static async Task<bool> IsLastAdminAsync(UserManager<PanelUser> users) =>
        (await users.GetUsersInRoleAsync(PanelRoles.Admin).ConfigureAwait(false)).Count <= 1;

    private static IReadOnlyList<string> Errors(IdentityResult result) => result.Succeeded ? [] : result.Errors.Select(e => e.Description).ToList();

    /// <summary>Makes a token for a user: the clear token is returned once and never stored.</summary>
    /// <remarks>
    /// A name is unique among the user's active tokens (<see cref="InvalidOperationException"/> otherwise); a token may
    /// expire after 1 to 3650 days.
    /// </remarks>
    public async Task<(ApiToken Token, string Clear)> CreateTokenAsync(string userId, string name, int? expiresInDays = null, CancellationToken cancellationToken = default)
    {
        if (expiresInDays is < 1 or > 3650)
        {
            throw new ArgumentOutOfRangeException(nameof(expiresInDays), expiresInDays, "A token expires after 1 to 3650 days, or never.");
        }

        var trimmed = name.Trim().Length == 0 ? "token" : name.Trim()[..Math.Min(100, name.Trim().Length)];
        var clear = TokenPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var now = time.GetUtcNow();
        var token = new ApiToken
        {
            Id = Guid.NewGuid(), UserId = userId, Name = trimmed, Hash = Hash(clear), Prefix = clear[..10], CreatedAt = now,
            ExpiresAt = expiresInDays is { } days ? now.AddDays(days) : null,
        };
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        if (await db.ApiTokens.AnyAsync(t => t.UserId == userId && t.Name == trimmed && t.RevokedAt == null, cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"You have an active token called {trimmed}; choose another name or revoke that one.");
        }

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
        if (token is null || token.ExpiresAt <= time.GetUtcNow())
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
