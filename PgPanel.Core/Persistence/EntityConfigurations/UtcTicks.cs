using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace PgPanel.Core.Persistence.EntityConfigurations;

/// <summary>SQLite cannot order or compare DateTimeOffset; times are stored as UTC ticks.</summary>
internal static class UtcTicks
{
    public static ValueConverter<DateTimeOffset, long> Converter { get; } =
        new(v => v.UtcTicks, v => new DateTimeOffset(v, TimeSpan.Zero));

    public static ValueConverter<DateTimeOffset?, long?> NullableConverter { get; } =
        new(v => v.HasValue ? v.Value.UtcTicks : null, v => v.HasValue ? new DateTimeOffset(v.Value, TimeSpan.Zero) : null);
}
