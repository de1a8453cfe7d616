namespace PgPanel.Core.Specs;

/// <summary>Field errors keyed by the JSON path of the field ("primary.port", "standbys[0].host").</summary>
public sealed class SpecValidationResult
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsValid => _errors.Count == 0;

    public IReadOnlyDictionary<string, string[]> Errors =>
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }

        list.Add(message);
    }

    internal SpecValidationResult WithoutLeadingDot()
    {
        var copy = new SpecValidationResult();
        foreach (var (field, messages) in _errors)
        {
            foreach (var message in messages)
            {
                copy.Add(field.TrimStart('.'), message);
            }
        }

        return copy;
    }

    public override string ToString() =>
        string.Join("; ", _errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}")));
}
