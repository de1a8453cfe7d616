namespace PgPanel.Core.Security;

/// <summary>Replaces every known secret value in text before it reaches a log, job output, export or page.</summary>
public sealed class Redactor
{
    private readonly string[] _values;

    public Redactor(IEnumerable<Secret> secrets) =>
        _values = secrets.Select(s => s.Reveal()).Where(v => v.Length >= 4).Distinct(StringComparer.Ordinal)
            .OrderByDescending(v => v.Length).ToArray();

    public static Redactor None { get; } = new([]);

    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text) || _values.Length == 0)
        {
            return text ?? string.Empty;
        }

        foreach (var value in _values)
        {
            text = text.Replace(value, Secret.Mask, StringComparison.Ordinal);
        }

        return text;
    }
}
