namespace PgPanel.Core.Runs;

/// <summary>The panel's store (the job history, clusters, settings) could not be read or written.</summary>
public sealed class StoreUnavailableException(string message, Exception inner) : Exception(message, inner);
