namespace PgPanel.Core.Cloud.Alibaba;

/// <summary>A cloud API call a run will make, as the Review step shows it (no secrets).</summary>
public sealed record PlannedCloudCall(string StepId, string Api, string Action, string Parameters, string Purpose);
