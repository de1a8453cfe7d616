using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace PgPanel.Web.Extensions;

/// <summary>
/// Authenticates "Authorization: Bearer &lt;token&gt;": the bootstrap token (PgPanel:ApiToken) acts as an Admin, a user's
/// token as that user with their roles; a revoked or unknown token is refused.
/// </summary>
public sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiTokenProvider tokens,
    PgPanel.Core.Accounts.AccountService accounts)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var token = header["Bearer ".Length..].Trim();
        if (token.Length > 0 && tokens.Matches(token))
        {
            var bootstrap = new ClaimsIdentity([new Claim(ClaimTypes.Name, "api-token"), new Claim(ClaimTypes.Role, PgPanel.Core.Accounts.PanelRoles.Admin)], SchemeName);
            return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(bootstrap), SchemeName));
        }

        if (token.Length == 0 || await accounts.ValidateTokenAsync(token, Context.RequestAborted) is not { } found)
        {
            return AuthenticateResult.Fail("Invalid or revoked API token.");
        }

        var claims = new List<Claim> { new(ClaimTypes.Name, found.User.UserName!), new(ClaimTypes.NameIdentifier, found.User.Id) };
        claims.AddRange(found.Roles.Select(r => new Claim(ClaimTypes.Role, r)));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }
}
