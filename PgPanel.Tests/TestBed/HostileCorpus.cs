namespace PgPanel.Tests.TestBed;

/// <summary>
/// Values an attacker (or a careless paste) puts into spec fields: shell and SQL metacharacters, command substitution,
/// newlines and NUL, traversal, look-alike unicode, overlong text, leading dashes, format and escape characters. Each
/// command-substitution value names a marker file, so a test can prove that nothing ran.
/// </summary>
public static class HostileCorpus
{
    public const string MarkerPrefix = "/tmp/pgpanel-pwned-";

    public static IReadOnlyList<string> Values { get; } = Build();

    public static string Marker(int i) => $"{MarkerPrefix}{i}";

    private static List<string> Build()
    {
        var values = new List<string>();
        var cores = new[]
        {
            "'", "\"", "`", ";", "|", "&", "&&", "||", "$", "$$", "\\", "%", "%s%n%x", "*", "?", "~", "!", "#", "<", ">", ">>", "{a,b}", "[a-z]",
            "\n", "\r\n", "\t", "\0", "..", "../..", "../../etc/passwd", "/etc/passwd", "-", "--", "-rf", "--help", "-oProxyCommand=sh",
            "ｓｅｌｅｃｔ", "аdmin", "ехаmple", "ǅ", "\u202e", "\u200b", "😀", "café", "ⅰⅱ", "\u00a0",
            "'; DROP ROLE postgres; --", "\"; DROP TABLE x; --", "' OR '1'='1", "$$; DROP TABLE x; $$", "\\'; SELECT 1; --",
            "${IFS}", "$HOME", "${PATH}", "$(id)", "`id`", "$((1+1))", "<(id)", ">(id)", "a b", "a\tb",
        };
        foreach (var core in cores)
        {
            values.Add(core);
            values.Add("x" + core + "y");
            values.Add(core + "demo");
        }

        for (var i = 0; i < 30; i++)
        {
            values.Add($"$(touch {Marker(i)})");
            values.Add($"`touch {Marker(i)}`");
            values.Add($"x; touch {Marker(i)}");
            values.Add($"x' ; touch {Marker(i)} ; '");
        }

        values.Add(new string('a', 41));
        values.Add(new string('a', 64));
        values.Add(new string('a', 254));
        values.Add(new string('a', 1025));
        values.Add(new string('9', 20));
        values.Add(new string('/', 300));
        values.Add("");
        values.Add(" ");
        return values.Distinct(StringComparer.Ordinal).ToList();
    }
}
