using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;

namespace PgPanel.Web.Extensions;

/// <summary>Cookie sign-in for the pages with the panel's access token (accounts and roles arrive with the users issue).</summary>
public static class AccountEndpoints
{
    public static WebApplication MapAccountEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost("/account/login", async (HttpContext context, [FromForm] string token, [FromForm] string? returnUrl, ApiTokenProvider tokens) =>
            {
                var target = returnUrl is { Length: > 0 } url && Uri.IsWellFormedUriString(url, UriKind.Relative) && !url.StartsWith("//", StringComparison.Ordinal)
                    ? "/" + url.TrimStart('/') : "/";
                if (!tokens.Matches(token ?? ""))
                {
                    return Results.Redirect($"/login?error=1&returnUrl={Uri.EscapeDataString(target)}");
                }

                var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "admin"), new Claim(ClaimTypes.Role, "Admin")], CookieAuthenticationDefaults.AuthenticationScheme);
                await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
                return Results.Redirect(target);
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
}
