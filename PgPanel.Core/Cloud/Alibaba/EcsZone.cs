namespace PgPanel.Core.Cloud.Alibaba;

public sealed record EcsZone(string ZoneId, string LocalName);
