using Microsoft.AspNetCore.Diagnostics;
using PgPanel.Core.Cloud.Alibaba;
using PgPanel.Core.Hosts;
using PgPanel.Core.Runs;
using PgPanel.Core.Specs;

namespace PgPanel.Web.Api;

/// <summary>
/// The one place the API's expected errors become problem responses: an invalid spec (400 with field errors), a change
/// that needs confirmation (409 with the changes and a token), a run or cluster whose state refuses the request (409),
/// a host that cannot be probed (422), the cloud's own error (502 with its code and RequestId), no cloud AccessKey (400). Anything else is not
/// handled here: the framework answers 500 with a problem body and no detail.
/// </summary>
internal sealed class ApiExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (!httpContext.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
        {
            return false;
        }

        var result = exception switch
        {
            SpecValidationException invalid => Problems.Validation(invalid.Result.Errors.ToDictionary()),
            ConfirmationRequiredException confirm => Problems.ConfirmationRequired(confirm.Changes),
            RunConflictException conflict => Problems.Conflict(conflict.Message),
            HostProbeException probe => Problems.HostUnreachable(probe.Message),
            AlibabaApiException cloud => Problems.Cloud(cloud),
            CloudCredentialsMissingException missing => Problems.CloudCredentialsMissing(missing.Message),
            _ => null,
        };
        if (result is null)
        {
            return false;
        }

        await result.ExecuteAsync(httpContext).ConfigureAwait(false);
        return true;
    }
}
