namespace PgPanel.Tests.TestBed;

/// <summary>
/// A test with a directory of its own under /tmp/pgpanel-tests for the panels and PostgreSQL servers it starts. Afterwards
/// what the test holds is released (<see cref="ReleaseAsync"/>: clients, panels, browsers), every PostgreSQL server under
/// the directory is stopped and the directory removed.
/// </summary>
public abstract class PanelDirectoryTest(string name) : IAsyncLifetime
{
    private readonly TestDirectory _directory = new(name);

    /// <summary>The test's directory: a panel's data directory, and where the clusters it provisions on this machine live.</summary>
    protected string DataDirectory => _directory.Path;

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await ReleaseAsync();
        await LocalPostgres.StopAllUnderAsync(DataDirectory);
        _directory.Dispose();
    }

    /// <summary>Releases what the test holds, before the servers under its directory are stopped.</summary>
    protected virtual Task ReleaseAsync() => Task.CompletedTask;
}
