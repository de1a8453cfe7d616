namespace PgPanel.Core.Cloud.Alibaba;

public sealed record EcsImage(string ImageId, string ImageName, string OsName, string CreationTime);
