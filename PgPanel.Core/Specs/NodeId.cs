using System.Globalization;

namespace PgPanel.Core.Specs;

/// <summary>
/// A node of a cluster: the primary, or the n-th standby of the spec (1-based). Its text — "primary", "standby1",
/// "standby2" — names the node in plans, runs, slots, the dashboard and the API; it is made and read only here.
/// </summary>
public readonly record struct NodeId
{
    private const string PrimaryText = "primary";
    private const string StandbyPrefix = "standby";

    private NodeId(int standbyNumber) => StandbyNumber = standbyNumber;

    public static NodeId Primary { get; } = new(0);

    /// <summary>0 for the primary; 1 for the spec's first standby, and so on.</summary>
    public int StandbyNumber { get; }

    public bool IsPrimary => StandbyNumber == 0;

    /// <summary>The standby at <paramref name="index"/> (0-based) of <see cref="ClusterSpec.Standbys"/>.</summary>
    public static NodeId StandbyAt(int index) =>
        index >= 0 ? new NodeId(index + 1) : throw new ArgumentOutOfRangeException(nameof(index), index, "A standby's index is 0 or more.");

    /// <summary>Every node of a spec in plan order: the primary, then the standbys.</summary>
    public static IReadOnlyList<NodeId> All(ClusterSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return [Primary, .. spec.Standbys.Select((_, i) => StandbyAt(i))];
    }

    /// <summary>This node's part of a spec.</summary>
    public NodeSpec In(ClusterSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return IsPrimary ? spec.Primary
            : StandbyNumber <= spec.Standbys.Count ? spec.Standbys[StandbyNumber - 1]
            : throw new ArgumentOutOfRangeException(nameof(spec), $"Cluster {spec.Name} has no {this}.");
    }

    public static bool TryParse(string? text, out NodeId id)
    {
        id = Primary;
        if (text == PrimaryText)
        {
            return true;
        }

        if (text is null || !text.StartsWith(StandbyPrefix, StringComparison.Ordinal) ||
            !int.TryParse(text.AsSpan(StandbyPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1 ||
            text.Length != StandbyPrefix.Length + number.ToString(CultureInfo.InvariantCulture).Length)
        {
            return false;
        }

        id = new NodeId(number);
        return true;
    }

    public static NodeId Parse(string text) =>
        TryParse(text, out var id) ? id : throw new FormatException($"'{text}' is not a node: primary, standby1, standby2, …");

    public override string ToString() => IsPrimary ? PrimaryText : StandbyPrefix + StandbyNumber.ToString(CultureInfo.InvariantCulture);
}
