namespace PgPanel.Core.Monitoring;

/// <summary>One node's answer in an interval: its reading, or why there is none, and how long it took.</summary>
public sealed record NodeResult(NodeReading? Reading, string? Error, double Milliseconds)
{
    public bool Reachable => Reading is not null;
}
