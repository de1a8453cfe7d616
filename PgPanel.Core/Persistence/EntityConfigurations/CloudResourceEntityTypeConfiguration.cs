using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PgPanel.Core.Records;

namespace PgPanel.Core.Persistence.EntityConfigurations;

/// <summary>CloudResources: what a job created in the cloud; a job that has some cannot be deleted.</summary>
internal sealed class CloudResourceEntityTypeConfiguration : IEntityTypeConfiguration<CloudResource>
{
    public void Configure(EntityTypeBuilder<CloudResource> resource)
    {
        resource.HasKey(r => r.Id);
        resource.Property(r => r.Kind).HasMaxLength(32);
        resource.Property(r => r.ResourceId).HasMaxLength(128);
        resource.Property(r => r.RegionId).HasMaxLength(64);
        resource.Property(r => r.Node).HasMaxLength(32);
        resource.Property(r => r.CreatedAt).HasConversion(UtcTicks.Converter);
        resource.Property(r => r.ReleasedAt).HasConversion(UtcTicks.NullableConverter);
        resource.HasIndex(r => r.JobId);
        resource.HasOne<Job>().WithMany().HasForeignKey(r => r.JobId).OnDelete(DeleteBehavior.Restrict);
    }
}
