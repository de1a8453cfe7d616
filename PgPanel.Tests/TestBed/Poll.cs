namespace PgPanel.Tests.TestBed;

/// <summary>Reads a value until it is the expected one (replication takes a moment), for at most about 15 s.</summary>
public static class Poll
{
    public static async Task<string> UntilAsync(Func<Task<string>> read, string expected)
    {
        var value = "";
        for (var i = 0; i < 150; i++)
        {
            try
            {
                value = await read();
            }
            catch (InvalidOperationException)
            {
                value = "";
            }

            if (value == expected)
            {
                break;
            }

            await Task.Delay(100);
        }

        return value;
    }
}
