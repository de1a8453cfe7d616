namespace PgPanel.Core.Cloud.Alibaba;

public sealed record EcsRegion(string RegionId, string LocalName);
