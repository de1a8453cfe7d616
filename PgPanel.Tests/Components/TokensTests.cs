using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using PgPanel.Core.Accounts;
using PgPanel.Core.Persistence;
using PgPanel.Core.Records;
using PgPanel.Web.Components.Pages.Account;

namespace PgPanel.Tests.Components;

public sealed class TokensTests : PanelComponentTest
{
    [Fact]
    public async Task A_token_is_shown_once_works_and_revoking_it_stops_it()
    {
        var accounts = Core<AccountService>();
        await accounts.EnsureRolesAsync();
        Assert.Empty(await accounts.CreateUserAsync("tokenuser", "Token-User-Password-1", PanelRoles.Operator));
        var userId = (await Core<IServiceScopeFactory>().CreateScope().ServiceProvider.GetRequiredService<UserManager<PanelUser>>().FindByNameAsync("tokenuser"))!.Id;
        Context.AddAuthorization().SetAuthorized("tokenuser").SetRoles(PanelRoles.Operator).SetClaims(new Claim(ClaimTypes.NameIdentifier, userId));

        var cut = Context.Render<Tokens>();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=create-token]")));
        cut.Find("[data-testid=create-token]").Click();
        var clear = "";
        cut.WaitForAssertion(() => clear = cut.Find("[data-testid=new-token]").TextContent.Trim());
        Assert.StartsWith("pgp_", clear);
        Assert.NotNull(await accounts.ValidateTokenAsync(clear));

        // Expiring in 90 days by default; a second active token of the same name is refused with the field's error.
        var made = Assert.Single(await accounts.TokensAsync(userId));
        Assert.InRange(made.ExpiresAt!.Value, DateTimeOffset.UtcNow.AddDays(89), DateTimeOffset.UtcNow.AddDays(91));
        cut.Find("[data-testid=create-token]").Click();
        cut.WaitForAssertion(() => Assert.Contains("You have an active token called token", cut.Markup));
        Assert.Single(await accounts.TokensAsync(userId));

        // Revoking asks first.
        cut.Find("[data-testid=revoke]").Click();
        cut.WaitForAssertion(() => Assert.Contains("Programs using it stop at once", cut.Markup));
        Assert.NotNull(await accounts.ValidateTokenAsync(clear));
        cut.Find("[data-testid=confirm-revoke]").Click();
        cut.WaitForAssertion(() => Assert.Contains("revoked", cut.Find("[data-testid=tokens]").TextContent));
        Assert.Empty(cut.FindAll("[data-testid=new-token]"));
        Assert.Null(await accounts.ValidateTokenAsync(clear));

        // An expired token stops working by itself.
        var (expiring, expiringClear) = await accounts.CreateTokenAsync(userId, "short-lived", expiresInDays: 1);
        Assert.NotNull(await accounts.ValidateTokenAsync(expiringClear));
        await using (var db = await Core<Microsoft.EntityFrameworkCore.IDbContextFactory<PanelDbContext>>().CreateDbContextAsync())
        {
            var row = await db.ApiTokens.FindAsync(expiring.Id);
            row!.ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-1);
            await db.SaveChangesAsync();
        }

        Assert.Null(await accounts.ValidateTokenAsync(expiringClear));
    }
}
