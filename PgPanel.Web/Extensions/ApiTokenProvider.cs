using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using PgPanel.Core;

namespace PgPanel.Web.Extensions;

/// <summary>
/// The bootstrap API token: PgPanel:ApiToken when configured, else one generated once into
/// &lt;data directory&gt;/api-token (mode 0600). The token itself is never logged.
/// </summary>
public sealed partial class ApiTokenProvider
{
    private readonly byte[] _token;

    public ApiTokenProvider(IOptions<PanelOptions> options, ILogger<ApiTokenProvider> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var configured = options.Value.ApiToken;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            _token = Encoding.UTF8.GetBytes(configured);
            return;
        }

        var path = Path.Combine(options.Value.EnsureDataDirectory(), "api-token");
        TokenFile = path;
        if (!File.Exists(path))
        {
            var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            using (var stream = new FileStream(path, new FileStreamOptions
                   {
                       Mode = FileMode.CreateNew, Access = FileAccess.Write,
                       UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                   }))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(token);
            }

            Log.Generated(logger, path);
        }

        _token = Encoding.UTF8.GetBytes(File.ReadAllText(path).Trim());
    }

    /// <summary>Where the generated token is kept, when it was not configured.</summary>
    public string? TokenFile { get; }

    public bool Matches(string candidate) =>
        CryptographicOperations.FixedTimeEquals(_token, Encoding.UTF8.GetBytes(candidate));

    private static partial class Log
    {
        [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "No PgPanel:ApiToken configured: generated one into {Path} (mode 0600)")]
        public static partial void Generated(ILogger logger, string path);
    }
}
