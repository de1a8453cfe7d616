namespace PgPanel.Core.Monitoring;

/// <summary>How the last alert POST to the webhook went: when, whether it was accepted, and in words (never the URL).</summary>
public sealed record WebhookDelivery(DateTimeOffset At, bool Succeeded, string Outcome);
