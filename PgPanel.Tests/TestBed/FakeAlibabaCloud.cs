using System.Collections.Frozen;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using PgPanel.Tests.TestBed.FakeCloud;

namespace PgPanel.Tests.TestBed;

/// <summary>
/// A strict local fake of the Alibaba Cloud ECS (2014-05-26) and VPC (2016-04-28) RPC OpenAPI on one loopback endpoint,
/// for integration tests of PgPanel's cloud client. It verifies every request's signature (V3 ACS3-HMAC-SHA256 or V1
/// HMAC-SHA1) with its own code, answers the real error codes, and keeps the region's instances, EIPs and
/// security-group rules in memory. Tests can make the next call of an action fail, before or after it takes effect.
/// </summary>
public sealed class FakeAlibabaCloud : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly FakeCloudAuthenticator _authenticator;
    private readonly FakeCloudWorld _world;
    private readonly Lock _gate = new();
    private readonly List<FakeCloudCall> _calls = [];
    private readonly Dictionary<string, Queue<InjectedFailure>> _failBeforeApply = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<InjectedFailure>> _failAfterApply = new(StringComparer.Ordinal);

    private FakeAlibabaCloud(FakeAlibabaCloudOptions options, WebApplication app)
    {
        Options = options;
        _app = app;
        _authenticator = new FakeCloudAuthenticator(options, TimeProvider.System);
        _world = new FakeCloudWorld(options);
    }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;</c>; the client signs the Host it sends, port included.</summary>
    public string Endpoint { get; private set; } = "";

    public FakeAlibabaCloudOptions Options { get; }

    /// <summary>Every request received, failed ones included, in the order they were answered.</summary>
    public IReadOnlyList<FakeCloudCall> Calls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>The instances not deleted, in creation order.</summary>
    public IReadOnlyList<FakeInstance> Instances => _world.Instances;

    /// <summary>The EIPs allocated and not released.</summary>
    public IReadOnlyList<FakeEip> Eips => _world.Eips;

    /// <summary>The ingress rules of every security group, pre-existing ones included.</summary>
    public IReadOnlyList<FakeRule> Rules => _world.Rules;

    public static async Task<FakeAlibabaCloud> StartAsync(FakeAlibabaCloudOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var cloud = new FakeAlibabaCloud(options, app);
        app.Run(cloud.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        cloud.Endpoint = app.Urls.Single().TrimEnd('/');
        return cloud;
    }

    /// <summary>
    /// Rejects the next authenticated call of <paramref name="action"/> with <paramref name="code"/> before it does anything
    /// (with an <c>x-acs-retry-after</c> header in milliseconds when given; as XML when <paramref name="xml"/>). Calls queue up.
    /// DryRun calls pass by (they only check).
    /// </summary>
    public void FailNext(string action, string code, int httpStatus = 400, int? retryAfterMs = null, bool xml = false) =>
        Enqueue(_failBeforeApply, action, new InjectedFailure(code, httpStatus, retryAfterMs, xml));

    /// <summary>Lets the next successful call of <paramref name="action"/> take effect, then answers an error instead (a lost response).</summary>
    public void FailNextAfterApply(string action, string code = "ServiceUnavailable", int httpStatus = 503) =>
        Enqueue(_failAfterApply, action, new InjectedFailure(code, httpStatus, null, false));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = await FakeCloudRequest.ReadAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        var v3 = request.Header("Authorization") is not null;
        var action = (v3 ? request.Header("x-acs-action")?.Trim() : request.Parameters.GetValueOrDefault("Action")) ?? "";
        var version = (v3 ? request.Header("x-acs-version")?.Trim() : request.Parameters.GetValueOrDefault("Version")) ?? "";
        var answer = Answer(request, action, version);
        lock (_gate)
        {
            _calls.Add(new FakeCloudCall(
                action,
                version,
                FakeCloudAuthenticator.ClaimedMethod(request),
                request.Parameters.ToFrozenDictionary(StringComparer.Ordinal),
                answer.HttpStatus,
                answer.Code));
        }

        await answer.WriteAsync(context.Response, context.RequestAborted).ConfigureAwait(false);
    }

    private FakeCloudAnswer Answer(FakeCloudRequest request, string action, string version)
    {
        try
        {
            if (request.Path != "/")
            {
                throw new FakeCloudException(404, "InvalidAction.NotFound", $"RPC-style requests go to path /, not {request.Path}.");
            }

            if (request.Method != "POST" && !(request.Method == "GET" && request.Header("Authorization") is null))
            {
                throw new FakeCloudException(400, "UnsupportedHTTPMethod", $"The HTTP method {request.Method} is not supported here (V3: POST; V1: GET or POST).");
            }

            _authenticator.Authenticate(request);

            if (request.DuplicateParameter is { } duplicate)
            {
                throw FakeCloudException.InvalidParameter(duplicate, "it is given more than once.");
            }

            if (request.Body.Length > 0)
            {
                throw FakeCloudException.InvalidParameter("body", $"RPC parameters belong in the query string with an empty body; the body had {request.Body.Length} bytes.");
            }

            // Injected failures hit real calls, never a DryRun check of the same action.
            var dryRun = request.Parameters.TryGetValue("DryRun", out var flag) && flag == "true";
            if (!dryRun && Dequeue(_failBeforeApply, action) is { } failure)
            {
                return Injected(failure, request);
            }

            if (action.Length == 0)
            {
                throw FakeCloudException.MissingParameter("Action");
            }

            if (version.Length == 0)
            {
                throw FakeCloudException.MissingParameter("Version");
            }

            var body = _world.Invoke(version, action, new FakeCloudParameters(request.Parameters));
            return Dequeue(_failAfterApply, action) is { } lost
                ? Injected(lost, request)
                : FakeCloudAnswer.Success(action, body, request.WantsXml);
        }
        catch (FakeCloudException e)
        {
            return FakeCloudAnswer.Error(e.HttpStatus, e.Code, e.Message, request.Host, request.WantsXml);
        }
    }

    private static FakeCloudAnswer Injected(InjectedFailure failure, FakeCloudRequest request)
    {
        var message = failure.Code switch
        {
            _ when failure.Code.StartsWith("Throttling", StringComparison.Ordinal) => "Request was denied due to user flow control.",
            "ServiceUnavailable" => "The request has failed due to a temporary failure of the server.",
            "InternalError" => "The request processing has failed due to some unknown error, exception or failure.",
            _ => $"{failure.Code} (injected by the test).",
        };
        return FakeCloudAnswer.Error(failure.HttpStatus, failure.Code, message, request.Host, failure.Xml || request.WantsXml, failure.RetryAfterMs);
    }

    private void Enqueue(Dictionary<string, Queue<InjectedFailure>> queues, string action, InjectedFailure failure)
    {
        lock (_gate)
        {
            if (!queues.TryGetValue(action, out var queue))
            {
                queues[action] = queue = new Queue<InjectedFailure>();
            }

            queue.Enqueue(failure);
        }
    }

    private InjectedFailure? Dequeue(Dictionary<string, Queue<InjectedFailure>> queues, string action)
    {
        lock (_gate)
        {
            return queues.TryGetValue(action, out var queue) && queue.TryDequeue(out var failure) ? failure : null;
        }
    }
}
