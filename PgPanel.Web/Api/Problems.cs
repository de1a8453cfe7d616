namespace PgPanel.Web.Api;

/// <summary>The API's problem-details answers.</summary>
internal static class Problems
{
    public static IResult Validation(IDictionary<string, string[]> errors) =>
        Results.ValidationProblem(errors, title: "The cluster spec is not valid.", detail: "Each field listed under 'errors' needs a change.");

    public static IResult NotFound(string what) => Results.Problem(title: $"{what} was not found.", statusCode: StatusCodes.Status404NotFound);

    public static IResult Conflict(string detail) =>
        Results.Problem(title: "The request conflicts with the current state.", detail: detail, statusCode: StatusCodes.Status409Conflict);

    /// <summary>The cloud API answered an error: its code, message and RequestId are passed on.</summary>
    public static IResult Cloud(Core.Cloud.Alibaba.AlibabaApiException error) =>
        Results.Problem(title: $"Alibaba Cloud answered {error.Code}.", detail: error.Message, statusCode: StatusCodes.Status502BadGateway,
            extensions: new Dictionary<string, object?> { ["code"] = error.Code, ["requestId"] = error.RequestId });

    /// <summary>409: the spec changes an existing cluster; the same request with ?confirm=&lt;confirmToken&gt; goes ahead.</summary>
    public static IResult ConfirmationRequired(Core.Runs.ClusterChanges changes) =>
        Results.Problem(title: $"This run changes cluster {changes.ClusterName}: confirm it.",
            detail: "Nothing was started. Send the same request again with ?confirm=<confirmToken> to go ahead with exactly these changes.",
            statusCode: StatusCodes.Status409Conflict,
            extensions: new Dictionary<string, object?> { ["changes"] = changes.Items, ["restarts"] = changes.Restarts, ["confirmToken"] = changes.Token });

    /// <summary>400: no AccessKey entered or found; the detail says where PgPanel looked.</summary>
    public static IResult CloudCredentialsMissing(string detail) =>
        Results.Problem(title: "No Alibaba Cloud AccessKey.", detail: detail, statusCode: StatusCodes.Status400BadRequest);

    public static IResult HostUnreachable(string detail) =>
        Results.Problem(title: "A host could not be probed.", detail: detail, statusCode: StatusCodes.Status422UnprocessableEntity);
}
