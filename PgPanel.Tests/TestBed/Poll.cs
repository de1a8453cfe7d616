namespace PgPanel.Tests.TestBed;

/// <summary>Reads a value until it is the expected one (replication takes a moment), for at most about 15 s or a given limit.</summary>
public static class Poll
{
    public static Task<string> UntilAsync(Func<Task<string>> read, string expected) => UntilAsync(read, expected, TimeSpan.FromSeconds(15));

    /// <summary>Returns the last value read: the expected one, or what it was when the limit passed.</summary>
    public static async Task<string> UntilAsync(Func<Task<string>> read, string expected, TimeSpan limit)
    {
        var value = "";
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            try
            {
                value = await read();
            }
            catch (InvalidOperationException)
            {
                value = "";
            }

            if (value == expected || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(100);
        }
    }
}
