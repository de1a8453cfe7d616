using PgPanel.Core.Planning;

namespace PgPanel.Core.Runs;

/// <summary>What a plan needs beside the spec and the hosts' facts: where local clusters live, the job options, the slots to drop.</summary>
public sealed record PlanRequestParts(string LocalRoot, PlanOptions Options, IReadOnlyList<string> DropSlots);
