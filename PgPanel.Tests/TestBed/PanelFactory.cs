using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace PgPanel.Tests.TestBed;

/// <summary>The real panel in-process, with its own data directory and API token.</summary>
public sealed class PanelFactory(string dataDirectory, IReadOnlyDictionary<string, string>? settings = null) : WebApplicationFactory<Program>
{
    public const string Token = "test-token-0123456789abcdef";
    public const string AdminPassword = "Admin-Password-2026";

    public string DataDirectory { get; } = dataDirectory;

    /// <summary>Every log line the panel wrote.</summary>
    public CapturingLoggerProvider Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("PgPanel:DataDirectory", DataDirectory);
        builder.UseSetting("PgPanel:ApiToken", Token);
        builder.UseSetting("PgPanel:Bootstrap:AdminPassword", AdminPassword);
        builder.UseEnvironment("Production");
        builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Trace));
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }
    }

    public HttpClient CreateApiClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return client;
    }
}
