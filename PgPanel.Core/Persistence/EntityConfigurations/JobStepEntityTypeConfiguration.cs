using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PgPanel.Core.Records;

namespace PgPanel.Core.Persistence.EntityConfigurations;

/// <summary>JobSteps: the steps of a job, unique by (job, index), deleted with the job.</summary>
internal sealed class JobStepEntityTypeConfiguration : IEntityTypeConfiguration<JobStep>
{
    public void Configure(EntityTypeBuilder<JobStep> step)
    {
        step.HasKey(s => s.Id);
        step.Property(s => s.Status).HasConversion<string>().HasMaxLength(16);
        step.Property(s => s.Kind).HasConversion<string>().HasMaxLength(16);
        step.Property(s => s.StepId).HasMaxLength(128);
        step.Property(s => s.Node).HasMaxLength(32);
        step.Property(s => s.StartedAt).HasConversion(UtcTicks.NullableConverter);
        step.Property(s => s.FinishedAt).HasConversion(UtcTicks.NullableConverter);
        step.HasIndex(s => new { s.JobId, s.Index }).IsUnique();
    }
}
