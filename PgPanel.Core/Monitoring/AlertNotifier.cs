using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PgPanel.Core.Records;

namespace PgPanel.Core.Monitoring;

/// <summary>
/// Sends raised and cleared alerts to the configured webhook as JSON. Whatever goes wrong is logged and kept as the last
/// delivery (shown on Settings), never fatal and never lost in a fire-and-forget task.
/// </summary>
public sealed partial class AlertNotifier(IHttpClientFactory clients, Settings.SettingsStore settings, TimeProvider time, ILogger<AlertNotifier> logger)
{
    public const string ClientName = "pgpanel-webhook";

    private readonly Lock _gate = new();
    private long _attempts;
    private long _shownAttempt;
    private WebhookDelivery? _lastDelivery;

    /// <summary>
    /// The outcome of the newest delivery attempt since the panel started (by when it started, so an older, slower send
    /// that ends later does not overwrite it); null before the first.
    /// </summary>
    public WebhookDelivery? LastDelivery
    {
        get
        {
            lock (_gate)
            {
                return _lastDelivery;
            }
        }
    }

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
            var attempt = Interlocked.Increment(ref _attempts);
            try
            {
                using var response = await client.PostAsJsonAsync(url, new
                {
                    cluster = alert.ClusterName, node = alert.Node, rule = alert.Rule, kind = alert.Kind, at = alert.At,
                    value = alert.Value, message = alert.Message,
                }, PanelJson.Options, cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    Record(attempt, new WebhookDelivery(time.GetUtcNow(), true, $"{alert.Rule} {alert.Kind} for {alert.ClusterName}/{alert.Node}: accepted ({(int)response.StatusCode})"));
                }
                else
                {
                    Log.WebhookRefused(logger, alert.Rule, (int)response.StatusCode);
                    Record(attempt, new WebhookDelivery(time.GetUtcNow(), false, $"{alert.Rule} {alert.Kind} for {alert.ClusterName}/{alert.Node}: refused with HTTP {(int)response.StatusCode}"));
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Any failure (network, timeout, TLS, a handler's bug): logged with its type, kept for Settings.
                Log.WebhookFailed(logger, alert.Rule, ex.GetType().Name, ex.Message, ex);
                Record(attempt, new WebhookDelivery(time.GetUtcNow(), false, $"{alert.Rule} {alert.Kind} for {alert.ClusterName}/{alert.Node}: {ex.GetType().Name}: {ex.Message}"));
            }
        }
    }

    /// <summary>Keeps a delivery's outcome unless a later-started attempt has already been kept.</summary>
    private void Record(long attempt, WebhookDelivery delivery)
    {
        lock (_gate)
        {
            if (attempt > _shownAttempt)
            {
                (_shownAttempt, _lastDelivery) = (attempt, delivery);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Alert webhook answered {Status} for {Rule}")]
        public static partial void WebhookRefused(ILogger logger, string rule, int status);

        [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Alert webhook failed for {Rule}: {Type}: {Reason}")]
        public static partial void WebhookFailed(ILogger logger, string rule, string type, string reason, Exception exception);
    }
}
