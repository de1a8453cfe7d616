using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PgPanel.Core.Records;

namespace PgPanel.Core.Persistence.EntityConfigurations;

/// <summary>ReplicationPoints: the per-minute monitoring history of the nodes of a cluster.</summary>
internal sealed class ReplicationPointEntityTypeConfiguration : IEntityTypeConfiguration<ReplicationPoint>
{
    public void Configure(EntityTypeBuilder<ReplicationPoint> point)
    {
        point.HasKey(p => p.Id);
        point.Property(p => p.ClusterName).HasMaxLength(64);
        point.Property(p => p.Node).HasMaxLength(32);
        point.Property(p => p.WorstState).HasConversion<string>().HasMaxLength(16);
        point.Property(p => p.MinuteStart).HasConversion(UtcTicks.Converter);
        point.HasIndex(p => new { p.ClusterName, p.MinuteStart });
    }
}
