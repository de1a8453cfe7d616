namespace PgPanel.Core.Security;

/// <summary>The one place shell text is built from values: POSIX single-quoting.</summary>
public static class ShellQuote
{
    /// <summary>Quotes a value as one shell word. Safe for any string without NUL.</summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\0'))
        {
            throw new ArgumentException("A shell word cannot contain a NUL character.", nameof(value));
        }

        if (value.Length > 0 && value.All(IsPlain))
        {
            return value;
        }

        return "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    /// <summary>Joins values as separately quoted shell words.</summary>
    public static string Join(params IEnumerable<string> words) => string.Join(' ', words.Select(Quote));

    private static bool IsPlain(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_' or '.' or '/' or ':' or '=' or ',' or '@' or '+';
}
