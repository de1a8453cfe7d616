namespace PgPanel.Core.Security;

/// <summary>The one place SQL text is built from values: identifiers and literals, as PostgreSQL quotes them.</summary>
public static class SqlQuote
{
    /// <summary>An identifier, always double-quoted (quote_ident style with forced quoting).</summary>
    public static string Identifier(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Reject(name);
        return "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>A string literal for standard_conforming_strings = on (9.1+ default); backslashes use the E'' form.</summary>
    public static string Literal(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Reject(value);
        var body = value.Replace("'", "''", StringComparison.Ordinal);
        return value.Contains('\\')
            ? "E'" + body.Replace("\\", "\\\\", StringComparison.Ordinal) + "'"
            : "'" + body + "'";
    }

    /// <summary>A value inside a postgresql.conf / recovery.conf string: single quotes doubled, backslashes doubled.</summary>
    public static string ConfigValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Reject(value);
        if (value.Contains('\n') || value.Contains('\r'))
        {
            throw new ArgumentException("A configuration value cannot span lines.", nameof(value));
        }

        return "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    private static void Reject(string value)
    {
        if (value.Contains('\0'))
        {
            throw new ArgumentException("SQL text cannot contain a NUL character.", nameof(value));
        }
    }
}
