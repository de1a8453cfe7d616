using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PgPanel.Core.Monitoring;

/// <summary>Sends raised and cleared alerts to the configured webhook as JSON; a failing webhook is logged, never fatal.</summary>
public sealed partial class AlertNotifier(IHttpClientFactory clients, Settings.SettingsStore settings, ILogger<AlertNotifier> logger)
{
    public const string ClientName = "pgpanel-webhook";

    public async Task NotifyAsync(IReadOnlyList<AlertEvent> alerts, CancellationToken cancellationToken = default)
    {
        var url = settings.Monitor.WebhookUrl;
        if (string.IsNullOrWhiteSpace(url) || alerts.Count == 0)
        {
            return;
        }

        using var client = clients.CreateClient(ClientName);
        foreach (var alert in alerts)
        {
            try
            {
                using var response = await client.PostAsJsonAsync(url, new
                {
                    cluster = alert.ClusterName, node = alert.Node, rule = alert.Rule, kind = alert.Kind, at = alert.At,
                    value = alert.Value, message = alert.Message,
                }, PanelJson.Options, cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    Log.WebhookRefused(logger, alert.Rule, (int)response.StatusCode);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                Log.WebhookFailed(logger, alert.Rule, ex.Message);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Alert webhook answered {Status} for {Rule}")]
        public static partial void WebhookRefused(ILogger logger, string rule, int status);

        [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Alert webhook failed for {Rule}: {Reason}")]
        public static partial void WebhookFailed(ILogger logger, string rule, string reason);
    }
}
