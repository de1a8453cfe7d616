using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PgPanel.Core.Records;

namespace PgPanel.Core.Persistence.EntityConfigurations;

/// <summary>Clusters: the clusters the panel built, by name; the state is stored as lower-case text.</summary>
internal sealed class ClusterRecordEntityTypeConfiguration : IEntityTypeConfiguration<ClusterRecord>
{
    public void Configure(EntityTypeBuilder<ClusterRecord> cluster)
    {
        cluster.HasKey(c => c.Name);
        cluster.Property(c => c.Name).HasMaxLength(64);
        cluster.Property(c => c.PostgresVersion).HasMaxLength(8);
        cluster.Property(c => c.State).HasMaxLength(16)
            .HasConversion(s => ClusterStateText.Of(s), s => ClusterStateText.Parse(s));
        cluster.Property(c => c.CreatedAt).HasConversion(UtcTicks.Converter);
        cluster.Property(c => c.UpdatedAt).HasConversion(UtcTicks.Converter);
    }
}
