using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using PgPanel.Core.Accounts;
using PgPanel.Core.Records;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.Integration.Security;

/// <summary>Nobody in without a login; a Viewer reads but changes nothing; lockout; revoked tokens; security headers.</summary>
[Collection(SerialCollection.Name)]
public sealed partial class AccessTests() : InProcessPanelTest("access")
{
    private static readonly string[] Anonymous = ["/healthz", "/login", "/account/login", "/account/setup", "/logout"];

    [Fact]
    public async Task Every_route_needs_a_login_and_a_viewer_may_not_change_anything()
    {
        using var anonymous = Panel.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var viewerToken = await TokenForNewUserAsync("viewer1", PanelRoles.Viewer);
        using var viewer = Panel.CreateClient();
        viewer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", viewerToken);

        var routes = Routes().ToList();
        Assert.True(routes.Count > 20, $"only {routes.Count} routes found");
        var checkedMutating = 0;
        foreach (var (method, path) in routes)
        {
            if (Anonymous.Contains(path) || path.StartsWith("/_", StringComparison.Ordinal) || path.Split('/')[^1].Contains('.', StringComparison.Ordinal))
            {
                continue;
            }

            var response = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { }) });
            var redirectedToLogin = response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.ToString().Contains("/login", StringComparison.Ordinal) == true;
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized || redirectedToLogin, $"{method} {path} answered {(int)response.StatusCode} without a login");

            if (method != "GET" && path.StartsWith("/api/", StringComparison.Ordinal) && !path.StartsWith("/api/tokens", StringComparison.Ordinal))
            {
                var asViewer = await viewer.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { }) });
                Assert.True(asViewer.StatusCode == HttpStatusCode.Forbidden, $"{method} {path} answered {(int)asViewer.StatusCode} to a Viewer");
                checkedMutating++;
            }
        }

        Assert.True(checkedMutating >= 6, $"only {checkedMutating} mutating API routes checked");
        var hub = await anonymous.PostAsync("/_blazor/negotiate?negotiateVersion=1", null);
        Assert.True(hub.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Redirect, $"the Blazor hub answered {(int)hub.StatusCode} without a login");
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/clusters")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/jobs")).StatusCode);
    }

    [Fact]
    public async Task A_signed_in_viewer_gets_a_page_that_says_why_not_a_raw_404()
    {
        await CreateUserAsync("viewer2", "Viewer2-Password-9", PanelRoles.Viewer);
        using var browser = Panel.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var login = await LoginAsync(browser, "viewer2", "Viewer2-Password-9");
        Assert.DoesNotContain("error=", login.Headers.Location!.ToString());
        foreach (var page in new[] { "/wizard", "/settings", "/account/users" })
        {
            var denied = await browser.GetAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
            Assert.Contains("/forbidden", denied.Headers.Location!.ToString(), StringComparison.Ordinal);
            var shown = await browser.GetAsync(denied.Headers.Location);
            Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
            var html = await shown.Content.ReadAsStringAsync();
            Assert.Contains("This page needs another role", html);
            Assert.Contains("viewer2", html);
        }

        // The menu a Viewer sees offers nothing it may not do.
        var home = await (await browser.GetAsync("/")).Content.ReadAsStringAsync();
        Assert.Contains("Dashboard", home);
        Assert.DoesNotContain("New cluster", home);
        Assert.DoesNotContain("href=\"settings\"", home);
    }

    [Fact]
    public async Task An_admin_unlocks_resets_reroles_and_deletes_a_user_but_never_the_last_admin()
    {
        await CreateUserAsync("ops1", "Ops1-Password-123", PanelRoles.Operator);
        using var admin = Panel.CreateApiClient();
        using var browser = Panel.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        for (var i = 0; i < 5; i++)
        {
            await LoginAsync(browser, "ops1", "not-the-password");
        }

        Assert.Contains("error=locked", (await LoginAsync(browser, "ops1", "Ops1-Password-123")).Headers.Location!.ToString());
        var users = await admin.GetFromJsonAsync<JsonArray>("/api/users");
        Assert.True(users!.Single(u => u!["userName"]!.GetValue<string>() == "ops1")!["lockedOut"]!.GetValue<bool>());

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync("/api/users/ops1/unlock", null)).StatusCode);
        Assert.DoesNotContain("error=", (await LoginAsync(browser, "ops1", "Ops1-Password-123")).Headers.Location!.ToString());

        var weak = await admin.PutAsJsonAsync("/api/users/ops1/password", new { password = "short" });
        Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutAsJsonAsync("/api/users/ops1/password", new { password = "Ops1-New-Password-456" })).StatusCode);
        using (var again = Panel.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }))
        {
            Assert.Contains("error=", (await LoginAsync(again, "ops1", "Ops1-Password-123")).Headers.Location!.ToString());
            Assert.DoesNotContain("error=", (await LoginAsync(again, "ops1", "Ops1-New-Password-456")).Headers.Location!.ToString());
        }

        // A role change applies to the user's tokens at once.
        var token = (await TokenForExistingUserAsync("ops1")).Clear;
        using var ops = Panel.CreateClient();
        ops.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.NotEqual(HttpStatusCode.Forbidden, (await ops.PostAsJsonAsync("/api/plans", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutAsJsonAsync("/api/users/ops1/role", new { role = PanelRoles.Viewer })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ops.PostAsJsonAsync("/api/plans", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsJsonAsync("/api/users/ops1/role", new { role = "Root" })).StatusCode);

        // The last Admin stays: neither demoted nor deleted.
        var demote = await admin.PutAsJsonAsync("/api/users/admin/role", new { role = PanelRoles.Viewer });
        Assert.Equal(HttpStatusCode.BadRequest, demote.StatusCode);
        Assert.Contains("last Admin", await demote.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.DeleteAsync("/api/users/admin")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/users/ops1")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await ops.GetAsync("/api/clusters")).StatusCode);
        users = await admin.GetFromJsonAsync<JsonArray>("/api/users");
        Assert.DoesNotContain(users!, u => u!["userName"]!.GetValue<string>() == "ops1");
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync("/api/users/ops1")).StatusCode);
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account()
    {
        await CreateUserAsync("locky", "Locky-Password-123", PanelRoles.Operator);
        using var browser = Panel.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        for (var i = 0; i < 5; i++)
        {
            var wrong = await LoginAsync(browser, "locky", "not-the-password");
            Assert.Contains("error=", wrong.Headers.Location!.ToString());
        }

        var right = await LoginAsync(browser, "locky", "Locky-Password-123");
        Assert.Contains("error=locked", right.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/runs")).StatusCode);

        var ok = await LoginAsync(browser, "admin", PanelFactory.AdminPassword);
        Assert.Equal("/", ok.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/runs")).StatusCode);
    }

    [Fact]
    public async Task A_revoked_token_is_refused()
    {
        using var admin = Panel.CreateApiClient();
        await CreateUserAsync("op1", "Operator-Password-1", PanelRoles.Operator);
        var accounts = Panel.Services.GetRequiredService<AccountService>();
        var user = (await accounts.ListUsersAsync()).Single(u => u.UserName == "op1");
        Assert.Contains(PanelRoles.Operator, user.Roles);
        var token = await TokenForExistingUserAsync("op1");
        using var client = Panel.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Clear);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/jobs")).StatusCode);
        var listed = await client.GetFromJsonAsync<JsonArray>("/api/tokens");
        Assert.Single(listed!);
        Assert.DoesNotContain(token.Clear, listed!.ToJsonString());

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/tokens/{token.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/jobs")).StatusCode);
    }

    [Fact]
    public async Task Answers_carry_the_security_headers()
    {
        using var client = Panel.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        foreach (var path in new[] { "/login", "/healthz", "/api/jobs" })
        {
            var response = await client.GetAsync(path);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        }

        var login = await client.GetAsync("/login");
        Assert.Contains("__RequestVerificationToken", await login.Content.ReadAsStringAsync());
    }

    private IEnumerable<(string Method, string Path)> Routes()
    {
        var sources = Panel.Services.GetRequiredService<IEnumerable<EndpointDataSource>>();
        foreach (var endpoint in sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            if (endpoint.RoutePattern.RawText!.Contains('*', StringComparison.Ordinal))
            {
                continue;
            }

            var path = "/" + RouteParameter().Replace(endpoint.RoutePattern.RawText!.TrimStart('/'), m =>
                m.Value.Contains("guid", StringComparison.Ordinal) ? Guid.NewGuid().ToString() : "x");

            var methods = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            foreach (var method in methods)
            {
                yield return (method, path);
            }
        }
    }

    private async Task CreateUserAsync(string name, string password, string role)
    {
        using var admin = Panel.CreateApiClient();
        var created = await admin.PostAsJsonAsync("/api/users", new { userName = name, password, role });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
    }

    private async Task<string> TokenForNewUserAsync(string name, string role)
    {
        await CreateUserAsync(name, $"{char.ToUpperInvariant(name[0])}{name[1..]}-Password-9", role);
        return (await TokenForExistingUserAsync(name)).Clear;
    }

    private async Task<(Guid Id, string Clear)> TokenForExistingUserAsync(string name)
    {
        var users = Panel.Services.GetRequiredService<IServiceScopeFactory>().CreateScope().ServiceProvider
            .GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<PanelUser>>();
        var user = await users.FindByNameAsync(name);
        var (token, clear) = await Panel.Services.GetRequiredService<AccountService>().CreateTokenAsync(user!.Id, "test");
        return (token.Id, clear);
    }

    private static async Task<HttpResponseMessage> LoginAsync(HttpClient browser, string userName, string password)
    {
        var page = await (await browser.GetAsync("/login")).Content.ReadAsStringAsync();
        var input = AntiforgeryInput().Match(page).Value;
        var antiforgery = InputValue().Match(input).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(antiforgery), "no antiforgery token on the login page");
        return await browser.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["userName"] = userName, ["password"] = password, ["returnUrl"] = "", ["__RequestVerificationToken"] = antiforgery,
        }));
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();

    [GeneratedRegex("<input[^>]*__RequestVerificationToken[^>]*>")]
    private static partial Regex AntiforgeryInput();

    [GeneratedRegex("value=\"([^\"]+)\"")]
    private static partial Regex InputValue();
}
