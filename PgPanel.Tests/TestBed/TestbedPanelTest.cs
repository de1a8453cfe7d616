namespace PgPanel.Tests.TestBed;

/// <summary>
/// A test on test-bed hosts with an in-process panel of its own: the hosts are reset before and after, and every SSH
/// server a test stopped is started again.
/// </summary>
public abstract class TestbedPanelTest(Testbed bed, string name, int[] hosts) : IAsyncLifetime
{
    private readonly TestDirectory _directory = new(name);

    protected Testbed Bed { get; } = bed;

    protected PanelFactory Panel { get; private set; } = null!;

    protected HttpClient Client { get; private set; } = null!;

    protected string DataDirectory => _directory.Path;

    public async Task InitializeAsync()
    {
        foreach (var host in hosts)
        {
            await Bed.ResetAsync(host);
        }

        Panel = new PanelFactory(_directory.Path);
        Client = Panel.CreateApiClient();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Panel.DisposeAsync();
        foreach (var host in hosts)
        {
            await Bed.StartSshdAsync(host).ContinueWith(_ => { }, TaskScheduler.Default);
            await Bed.ResetAsync(host);
        }

        _directory.Dispose();
    }
}
