namespace PgPanel.Tests.TestBed;

/// <summary>
/// A <see cref="PanelDirectoryTest"/> with the real panel in-process over its directory (<see cref="PanelFactory"/>),
/// started before the test with a client of its REST API that carries the token.
/// </summary>
public abstract class InProcessPanelTest(string name) : PanelDirectoryTest(name)
{
    private bool _stopped;

    protected PanelFactory Panel { get; private set; } = null!;

    /// <summary>A client of the REST API with the token.</summary>
    protected HttpClient Client { get; private set; } = null!;

    /// <summary>Configuration the panel starts with besides its data directory, token and admin password.</summary>
    protected virtual IReadOnlyDictionary<string, string>? PanelSettings => null;

    /// <summary>Starts the panel (the client's creation does), so that a test's timings do not include its start-up.</summary>
    public override Task InitializeAsync()
    {
        Panel = new PanelFactory(DataDirectory, PanelSettings);
        Client = Panel.CreateApiClient();
        return Task.CompletedTask;
    }

    /// <summary>Stops the panel before the test ends, so that its store can be read as it was left.</summary>
    protected async Task StopPanelAsync()
    {
        _stopped = true;
        await Panel.DisposeAsync();
    }

    protected override async Task ReleaseAsync()
    {
        Client?.Dispose();
        if (Panel is not null && !_stopped)
        {
            await Panel.DisposeAsync();
        }
    }
}
