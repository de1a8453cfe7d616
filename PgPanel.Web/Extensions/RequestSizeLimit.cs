using Microsoft.AspNetCore.Http.Features;

namespace PgPanel.Web.Extensions;

/// <summary>
/// Bounds every request body (PgPanel:MaxRequestBodyBytes, 10 MiB): a larger one is answered 413 before it is read,
/// and a chunked one is cut off by the server at the limit. A spec is a few kilobytes; an SSH key a few more.
/// </summary>
public sealed class RequestSizeLimit(RequestDelegate next, IConfiguration configuration)
{
    public const long DefaultLimit = 10L * 1024 * 1024;

    private readonly long _limit = configuration.GetValue<long?>("PgPanel:MaxRequestBodyBytes") ?? DefaultLimit;

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.ContentLength > _limit)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await context.Response.WriteAsJsonAsync(new
            {
                title = "Request body too large",
                status = 413,
                detail = $"The body has {context.Request.ContentLength} bytes; at most {_limit} are accepted.",
            }, context.RequestAborted);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = _limit;
        }

        await next(context);
    }
}
