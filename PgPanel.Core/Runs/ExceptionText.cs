namespace PgPanel.Core.Runs;

/// <summary>An exception as a DBA reads it in a run: its message and what caused it, without types or stack traces.</summary>
internal static class ExceptionText
{
    public static string Of(Exception ex)
    {
        var messages = new List<string>();
        for (var e = ex; e is not null && messages.Count < 3; e = e.InnerException)
        {
            if (!messages.Contains(e.Message, StringComparer.Ordinal))
            {
                messages.Add(e.Message);
            }
        }

        return string.Join(" — ", messages);
    }
}
