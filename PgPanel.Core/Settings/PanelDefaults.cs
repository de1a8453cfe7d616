using PgPanel.Core.Specs;

namespace PgPanel.Core.Settings;

/// <summary>What the wizard proposes for a new cluster.</summary>
public sealed record PanelDefaults(PgVersion? PostgresVersion, int PrimaryPort, int StandbyPort);
