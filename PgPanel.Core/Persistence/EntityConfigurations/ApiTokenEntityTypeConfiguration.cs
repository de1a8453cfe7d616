using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PgPanel.Core.Records;

namespace PgPanel.Core.Persistence.EntityConfigurations;

/// <summary>ApiTokens: per-user API tokens, found by their hash.</summary>
internal sealed class ApiTokenEntityTypeConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> token)
    {
        token.HasKey(t => t.Id);
        token.Property(t => t.Name).HasMaxLength(100);
        token.Property(t => t.Hash).HasMaxLength(64);
        token.Property(t => t.Prefix).HasMaxLength(12);
        token.Property(t => t.CreatedAt).HasConversion(UtcTicks.Converter);
        token.Property(t => t.RevokedAt).HasConversion(UtcTicks.NullableConverter);
        token.Property(t => t.LastUsedAt).HasConversion(UtcTicks.NullableConverter);
        token.HasIndex(t => t.Hash).IsUnique();
        token.HasIndex(t => t.UserId);
    }
}
