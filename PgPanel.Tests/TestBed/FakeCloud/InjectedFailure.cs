namespace PgPanel.Tests.TestBed.FakeCloud;

/// <summary>An error a test queued for the next call of an action (see <see cref="FakeAlibabaCloud.FailNext"/>).</summary>
internal sealed record InjectedFailure(string Code, int HttpStatus, int? RetryAfterMs, bool Xml);
