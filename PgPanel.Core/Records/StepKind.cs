namespace PgPanel.Core.Records;

/// <summary>What a step is for; it decides how the runner treats the check's answer.</summary>
public enum StepKind
{
    /// <summary>Only a check: passing changes nothing, failing stops the run before anything else happens.</summary>
    Preflight,

    /// <summary>A desired state: check, and apply only when the check finds a difference.</summary>
    Change,

    /// <summary>Runs only when a step that notifies it changed something in this job (restart, reload).</summary>
    Handler,

    /// <summary>Proves the result (streaming, canary row): passing is "unchanged", failing fails the job.</summary>
    Verify,

    /// <summary>A cloud API step (create instances, open a port): runs before any host exists, not through a shell.</summary>
    Cloud,
}
