using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;

namespace PgPanel.Tests.TestBed;

/// <summary>A webhook endpoint on loopback that records what the panel POSTs to it.</summary>
public sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();

    public WebhookReceiver()
    {
        var port = FreePorts.Take(1)[0];
        Url = $"http://127.0.0.1:{port}/hook/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _ = Task.Run(ReceiveAsync);
    }

    public string Url { get; }

    public ConcurrentQueue<JsonObject> Received { get; } = new();

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        _stop.Dispose();
    }

    private async Task ReceiveAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using (var reader = new StreamReader(context.Request.InputStream))
            {
                if (JsonNode.Parse(await reader.ReadToEndAsync()) is JsonObject body)
                {
                    Received.Enqueue(body);
                }
            }

            context.Response.StatusCode = 204;
            context.Response.Close();
        }
    }
}
