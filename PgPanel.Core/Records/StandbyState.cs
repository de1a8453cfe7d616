using System.Text.Json.Serialization;
using PgPanel.Core.Text;

namespace PgPanel.Core.Records;

/// <summary>Where a standby stands, from both ends of its stream.</summary>
[JsonConverter(typeof(KebabCaseEnumConverter<StandbyState>))]
public enum StandbyState
{
    /// <summary>The primary streams to it, its receiver is streaming and fresh, and its lag is under the thresholds.</summary>
    Streaming,

    /// <summary>Connected, but behind: the sender is in catchup, or the lag is over a threshold.</summary>
    CatchingUp,

    /// <summary>Receiving, but WAL replay is paused on the standby (<c>pg_wal_replay_pause()</c>): data there stands still.</summary>
    ReplayPaused,

    /// <summary>Up, but not receiving: no sender row on the primary, a receiver not streaming, or a stale receipt time.</summary>
    Disconnected,

    /// <summary>Unreachable, or no longer in recovery.</summary>
    Down,
}
