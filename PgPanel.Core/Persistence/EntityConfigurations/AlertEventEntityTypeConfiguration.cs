using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PgPanel.Core.Records;

namespace PgPanel.Core.Persistence.EntityConfigurations;

/// <summary>AlertEvents: alerts raised and cleared, by cluster and time.</summary>
internal sealed class AlertEventEntityTypeConfiguration : IEntityTypeConfiguration<AlertEvent>
{
    public void Configure(EntityTypeBuilder<AlertEvent> alert)
    {
        alert.HasKey(a => a.Id);
        alert.Property(a => a.ClusterName).HasMaxLength(64);
        alert.Property(a => a.Node).HasMaxLength(32);
        alert.Property(a => a.Rule).HasMaxLength(32);
        alert.Property(a => a.Kind).HasMaxLength(16);
        alert.Property(a => a.At).HasConversion(UtcTicks.Converter);
        alert.HasIndex(a => new { a.ClusterName, a.At });
    }
}
