using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using PgPanel.Core.Accounts;
using PgPanel.Core.Records;

namespace PgPanel.Web.Extensions;

/// <summary>Cookie sign-in for the pages (user name and password, lockout after 5 failures) and the first-start admin.</summary>
public static class AccountEndpoints
{
    public static WebApplication MapAccountEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost("/account/login", async (HttpContext context, [FromForm] string userName, [FromForm] string password, [FromForm] string? returnUrl,
                UserManager<PanelUser> users, SignInManager<PanelUser> signIn) =>
            {
                var target = LocalTarget(returnUrl);
                var user = await users.FindByNameAsync(userName ?? "");
                if (user is null)
                {
                    return Results.Redirect($"/login?error=1&returnUrl={Uri.EscapeDataString(target)}");
                }

                var result = await signIn.CheckPasswordSignInAsync(user, password ?? "", lockoutOnFailure: true);
                if (result.IsLockedOut)
                {
                    return Results.Redirect($"/login?error=locked&returnUrl={Uri.EscapeDataString(target)}");
                }

                if (!result.Succeeded)
                {
                    return Results.Redirect($"/login?error=1&returnUrl={Uri.EscapeDataString(target)}");
                }

                await SignInAsync(context, signIn, user);
                return Results.Redirect(target);
            })
            .AllowAnonymous()
            .ExcludeFromDescription();

        app.MapPost("/account/setup", async (HttpContext context, [FromForm] string password, AccountService accounts,
                UserManager<PanelUser> users, SignInManager<PanelUser> signIn) =>
            {
                var errors = await accounts.BootstrapAdminAsync(password ?? "");
                if (errors.Count > 0)
                {
                    return Results.Redirect($"/login?error=setup&detail={Uri.EscapeDataString(string.Join(" ", errors))}");
                }

                await SignInAsync(context, signIn, (await users.FindByNameAsync("admin"))!);
                return Results.Redirect("/");
            })
            .AllowAnonymous()
            .ExcludeFromDescription();

        app.MapGet("/logout", async (HttpContext context) =>
            {
                await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                return Results.Redirect("/login");
            })
            .AllowAnonymous()
            .ExcludeFromDescription();
        return app;
    }

    private static async Task SignInAsync(HttpContext context, SignInManager<PanelUser> signIn, PanelUser user)
    {
        var principal = await signIn.CreateUserPrincipalAsync(user);
        var identity = new ClaimsIdentity(principal.Claims, CookieAuthenticationDefaults.AuthenticationScheme, ClaimTypes.Name, ClaimTypes.Role);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
    }

    private static string LocalTarget(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && Uri.IsWellFormedUriString(url, UriKind.Relative) && !url.StartsWith("//", StringComparison.Ordinal) && !url.Contains('\\')
            ? "/" + url.TrimStart('/') : "/";
}
