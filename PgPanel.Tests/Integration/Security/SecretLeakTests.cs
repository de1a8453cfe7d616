using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.Integration.Security;

/// <summary>
/// After a full provisioning run over SSH (key for the primary, password + sudo for the standby), the replication
/// password, the private key and the sudo password appear nowhere: SQLite files, logs, run output, exports, pages.
/// </summary>
[Collection(TestbedCollection.Name)]
public sealed partial class SecretLeakTests(Testbed bed) : IAsyncLifetime
{
    private const string ReplicationPassword = "Leak-Check-Replication-77";
    private readonly TestDirectory _directory = new("leak");
    private PanelFactory _panel = null!;

    public async Task InitializeAsync()
    {
        await bed.ResetAsync(1);
        await bed.ResetAsync(2);
        _panel = new PanelFactory(_directory.Path);
    }

    public async Task DisposeAsync()
    {
        await _panel.DisposeAsync();
        await bed.ResetAsync(1);
        await bed.ResetAsync(2);
        _directory.Dispose();
    }

    [Fact]
    public async Task No_secret_appears_in_the_database_files_logs_output_exports_or_pages()
    {
        using var api = _panel.CreateApiClient();
        var spec = bed.Spec("leakcheck", 1, [2], () => bed.RootConnection());
        spec["standbys"]![0]!["connection"] = bed.NonRootConnection();
        spec["replication"]!["password"] = ReplicationPassword;
        var id = await Api.StartJobAsync(api, spec);
        var job = await Api.WaitForJobAsync(api, id);
        Assert.True(Api.Status(job) == "succeeded", Api.Describe(job));

        // The key's base64 body lines are what would leak; each is long and unique.
        var keyLines = bed.Ed25519Key.Split('\n').Where(l => l.Length > 20 && !l.StartsWith("-----", StringComparison.Ordinal)).ToList();
        var secrets = new List<string> { ReplicationPassword, bed.NonRootPassword };
        secrets.AddRange(keyLines);
        Assert.True(secrets.Count >= 3);

        var places = new Dictionary<string, string>
        {
            ["job"] = job.ToJsonString(),
            ["jobs"] = await api.GetStringAsync("/api/jobs"),
            ["export.json"] = await api.GetStringAsync($"/api/jobs/{id}/export?format=json"),
            ["export.txt"] = await api.GetStringAsync($"/api/jobs/{id}/export?format=text"),
            ["clusters"] = await api.GetStringAsync("/api/clusters"),
            ["logs"] = string.Join('\n', _panel.Logs.Lines),
        };

        using var browser = _panel.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await SignInAsync(browser);
        foreach (var page in new[] { $"/runs/{id}", "/runs", "/clusters", "/clusters/leakcheck", "/" })
        {
            var response = await browser.GetAsync(page);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            places[$"page {page}"] = await response.Content.ReadAsStringAsync();
        }

        Assert.Contains("Connect to every host", places[$"page /runs/{id}"]);
        await _panel.DisposeAsync();
        foreach (var file in Directory.EnumerateFiles(_directory.Path, "pgpanel.db*"))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            places[Path.GetFileName(file) + " (utf8)"] = Encoding.UTF8.GetString(bytes);
            places[Path.GetFileName(file) + " (utf16)"] = Encoding.Unicode.GetString(bytes);
        }

        foreach (var (place, text) in places)
        {
            foreach (var secret in secrets)
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"a secret ({secret[..4]}…) appears in {place}");
            }
        }

        _panel = new PanelFactory(_directory.Path);
    }

    private static async Task SignInAsync(HttpClient browser)
    {
        var page = await (await browser.GetAsync("/login")).Content.ReadAsStringAsync();
        var input = AntiforgeryInput().Match(page).Value;
        var token = InputValue().Match(input).Groups[1].Value;
        var response = await browser.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["userName"] = "admin", ["password"] = PanelFactory.AdminPassword, ["returnUrl"] = "", ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal("/", response.Headers.Location?.ToString());
    }

    [GeneratedRegex("<input[^>]*__RequestVerificationToken[^>]*>")]
    private static partial Regex AntiforgeryInput();

    [GeneratedRegex("value=\"([^\"]+)\"")]
    private static partial Regex InputValue();
}
