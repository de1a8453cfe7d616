using PgPanel.Core.Cloud.Alibaba;

namespace PgPanel.Web.Api;

public static class CloudEndpoints
{
    public static RouteGroupBuilder MapCloudEndpoints(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapPost("/cloud/alibaba/lookup", async (AlibabaLookupRequest request, AlibabaCatalog catalog, CancellationToken cancellationToken) =>
            {
                if (request.RegionId is { } region && !Core.Specs.CloudSpecValidator.IsValidRegionId(region))
                {
                    return Problems.Validation(new Dictionary<string, string[]> { ["regionId"] = ["Use a region id such as cn-hangzhou."] });
                }

                return Results.Ok(await catalog.LookupAsync(request, cancellationToken));
            })
            .RequireAuthorization(Core.Accounts.PanelRoles.CanOperate)
            .WithName("LookupAlibaba")
            .WithSummary("What the wizard can choose on Alibaba Cloud: regions; with a region its zones, vSwitches, security groups (of the chosen vSwitch's VPC) and the newest CentOS 7 and Alibaba Cloud Linux 3 images. The AccessKey in the body is used for this call only.");
        return api;
    }
}
