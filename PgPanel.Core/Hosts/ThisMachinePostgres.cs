using PgPanel.Core.Specs;

namespace PgPanel.Core.Hosts;

/// <summary>The PostgreSQL versions installed on the panel's own machine, and the one its distribution ships.</summary>
public sealed record ThisMachinePostgres(IReadOnlyList<PgVersion> Installed, PgVersion? DistributionVersion);
