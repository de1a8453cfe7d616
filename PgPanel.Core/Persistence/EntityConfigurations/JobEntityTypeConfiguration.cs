using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PgPanel.Core.Records;

namespace PgPanel.Core.Persistence.EntityConfigurations;

/// <summary>Jobs: one row per run; at most one queued or running job per cluster.</summary>
internal sealed class JobEntityTypeConfiguration : IEntityTypeConfiguration<Job>
{
    public void Configure(EntityTypeBuilder<Job> job)
    {
        job.HasKey(j => j.Id);
        job.Property(j => j.ClusterName).HasMaxLength(64);
        job.Property(j => j.Status).HasConversion<string>().HasMaxLength(16);
        job.Property(j => j.StartedBy).HasMaxLength(128);
        job.Property(j => j.CreatedAt).HasConversion(UtcTicks.Converter);
        job.Property(j => j.StartedAt).HasConversion(UtcTicks.NullableConverter);
        job.Property(j => j.FinishedAt).HasConversion(UtcTicks.NullableConverter);
        job.HasMany(j => j.Steps).WithOne().HasForeignKey(s => s.JobId).OnDelete(DeleteBehavior.Cascade);
        job.HasIndex(j => j.CreatedAt);
        job.HasIndex(j => new { j.ClusterName, j.CreatedAt });
        job.HasIndex(j => j.Status);

        // At most one queued or running job per cluster, decided by the database rather than by check-then-insert.
        job.HasIndex(j => j.ClusterName).IsUnique().HasFilter("\"Status\" IN ('Queued', 'Running')").HasDatabaseName("IX_Jobs_OneActivePerCluster");
    }
}
