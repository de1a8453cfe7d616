namespace PgPanel.Tests.TestBed;

/// <summary>
/// The integration and browser tests: they start real PostgreSQL servers, panels and Chromium, which on a 2-core machine
/// run one at a time. Every test class under PgPanel.Tests.Integration and PgPanel.Tests.E2E is in this collection or in
/// another one that is not parallelized (<see cref="TestbedCollection"/>); xUnit runs such collections one after another,
/// after the unit and component tests, which run in parallel. A unit test checks that none is left out.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "serial";
}
