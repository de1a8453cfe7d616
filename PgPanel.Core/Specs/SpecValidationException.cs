namespace PgPanel.Core.Specs;

/// <summary>A spec failed validation; <see cref="Result"/> names each bad field.</summary>
public sealed class SpecValidationException(SpecValidationResult result) : Exception($"The cluster spec is not valid: {result}")
{
    public SpecValidationResult Result { get; } = result;
}
