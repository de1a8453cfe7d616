namespace PgPanel.Tests.TestBed;

/// <summary>A fresh directory under /tmp/pgpanel-tests that the postgres user can reach (0755), removed on dispose.</summary>
public sealed class TestDirectory : IDisposable
{
    private const UnixFileMode Open = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    public TestDirectory(string name)
    {
        Directory.CreateDirectory("/tmp/pgpanel-tests", Open);
        Path = $"/tmp/pgpanel-tests/{name}-{Guid.NewGuid():N}"[..^20];
        Directory.CreateDirectory(Path, Open);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A server still writing its log; the folder is under /tmp and harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
