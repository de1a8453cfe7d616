using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PgPanel.Core;
using PgPanel.Core.Monitoring;
using PgPanel.Core.Records;
using PgPanel.Core.Settings;

namespace PgPanel.Tests.Unit.Monitoring;

/// <summary>
/// The webhook's error policy: whatever the POST ends in (accepted, refused, an exception of any type) is kept as the last
/// delivery and never thrown into the fire-and-forget task that sends it. The transport is a handler here; the real
/// HTTP path (a closed port on loopback) is in the Settings page's test.
/// </summary>
public sealed class AlertNotifierTests
{
    private static readonly AlertEvent Alert = new() { ClusterName = "alpha", Node = "standby1", Rule = "down", Kind = "raised", Message = "standby1 is down" };

    [Theory]
    [InlineData("ok", true, "down raised for alpha/standby1: accepted (204)")]
    [InlineData("refuse", false, "down raised for alpha/standby1: refused with HTTP 500")]
    [InlineData("throw", false, "down raised for alpha/standby1: InvalidOperationException: a handler's bug")]
    public async Task Every_outcome_is_kept_and_none_is_thrown(string behaviour, bool succeeded, string outcome)
    {
        var notifier = Notifier(new Handler(behaviour));
        Assert.Null(notifier.LastDelivery);
        await notifier.NotifyAsync([Alert]);
        Assert.NotNull(notifier.LastDelivery);
        Assert.Equal(succeeded, notifier.LastDelivery!.Succeeded);
        Assert.Equal(outcome, notifier.LastDelivery.Outcome);
        Assert.DoesNotContain("secret-token", notifier.LastDelivery.Outcome, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_older_slower_send_does_not_overwrite_the_newest_delivery()
    {
        var handler = new SlowFirstHandler();
        var notifier = Notifier(handler);
        var slow = notifier.NotifyAsync([new AlertEvent { ClusterName = "alpha", Node = "standby1", Rule = "lag", Kind = "raised", Message = "standby1 lags" }]);
        await handler.FirstArrived.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await notifier.NotifyAsync([Alert]);
        Assert.Equal("down raised for alpha/standby1: refused with HTTP 500", notifier.LastDelivery!.Outcome);

        // The first attempt (started earlier) ends now, accepted: the newer attempt's outcome stays.
        handler.ReleaseFirst.SetResult();
        await slow.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, handler.Requests);
        Assert.False(notifier.LastDelivery!.Succeeded);
        Assert.Equal("down raised for alpha/standby1: refused with HTTP 500", notifier.LastDelivery.Outcome);
    }

    private static AlertNotifier Notifier(HttpMessageHandler handler)
    {
        var options = Options.Create(new MonitorOptions { WebhookUrl = "http://127.0.0.1:9/hook?token=secret-token" });

        // The store is not read: settings never loaded from the database fall back to the configured options.
        var settings = new SettingsStore(null!, options, TimeProvider.System);
        return new AlertNotifier(new Factory(handler), settings, TimeProvider.System, NullLogger<AlertNotifier>.Instance);
    }

    private sealed class Factory(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
    }

    private sealed class Handler(string behaviour) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => behaviour switch
        {
            "ok" => Task.FromResult(new HttpResponseMessage(HttpStatusCode.NoContent)),
            "refuse" => Task.FromResult(new HttpResponseMessage(HttpStatusCode.InternalServerError)),
            _ => throw new InvalidOperationException("a handler's bug"),
        };
    }

    /// <summary>The first request waits until released, then is accepted; any later one is refused at once.</summary>
    private sealed class SlowFirstHandler : HttpMessageHandler
    {
        private int _requests;

        public TaskCompletionSource FirstArrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource ReleaseFirst { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Requests => Volatile.Read(ref _requests);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _requests) > 1)
            {
                return new HttpResponseMessage(HttpStatusCode.InternalServerError);
            }

            FirstArrived.SetResult();
            await ReleaseFirst.Task.WaitAsync(cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.NoContent);
        }
    }
}
