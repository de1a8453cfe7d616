using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using PgPanel.Core.Clusters;

namespace PgPanel.Core.Runs;

/// <summary>The panel's SQLite store: job history (the audit trail) and the clusters it built.</summary>
public sealed class PanelDbContext(DbContextOptions<PanelDbContext> options)
    : Microsoft.AspNetCore.Identity.EntityFrameworkCore.IdentityDbContext<Accounts.PanelUser>(options)
{
    public DbSet<Job> Jobs => Set<Job>();

    public DbSet<JobStep> JobSteps => Set<JobStep>();

    public DbSet<ClusterRecord> Clusters => Set<ClusterRecord>();

    public DbSet<CloudResource> CloudResources => Set<CloudResource>();

    public DbSet<Monitoring.ReplicationPoint> ReplicationPoints => Set<Monitoring.ReplicationPoint>();

    public DbSet<Monitoring.AlertEvent> AlertEvents => Set<Monitoring.AlertEvent>();

    public DbSet<Settings.PanelSetting> Settings => Set<Settings.PanelSetting>();

    public DbSet<Accounts.ApiToken> ApiTokens => Set<Accounts.ApiToken>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        // SQLite cannot order or compare DateTimeOffset; store UTC ticks.
        var ticks = new ValueConverter<DateTimeOffset, long>(v => v.UtcTicks, v => new DateTimeOffset(v, TimeSpan.Zero));
        var nullableTicks = new ValueConverter<DateTimeOffset?, long?>(
            v => v.HasValue ? v.Value.UtcTicks : null, v => v.HasValue ? new DateTimeOffset(v.Value, TimeSpan.Zero) : null);

        modelBuilder.Entity<Job>(job =>
        {
            job.HasKey(j => j.Id);
            job.Property(j => j.ClusterName).HasMaxLength(64);
            job.Property(j => j.Status).HasConversion<string>().HasMaxLength(16);
            job.Property(j => j.StartedBy).HasMaxLength(128);
            job.Property(j => j.CreatedAt).HasConversion(ticks);
            job.Property(j => j.StartedAt).HasConversion(nullableTicks);
            job.Property(j => j.FinishedAt).HasConversion(nullableTicks);
            job.HasMany(j => j.Steps).WithOne().HasForeignKey(s => s.JobId).OnDelete(DeleteBehavior.Cascade);
            job.HasIndex(j => j.CreatedAt);
            job.HasIndex(j => new { j.ClusterName, j.CreatedAt });
            job.HasIndex(j => j.Status);

            // At most one queued or running job per cluster, decided by the database rather than by check-then-insert.
            job.HasIndex(j => j.ClusterName).IsUnique().HasFilter("\"Status\" IN ('Queued', 'Running')").HasDatabaseName("IX_Jobs_OneActivePerCluster");
        });

        modelBuilder.Entity<JobStep>(step =>
        {
            step.HasKey(s => s.Id);
            step.Property(s => s.Status).HasConversion<string>().HasMaxLength(16);
            step.Property(s => s.Kind).HasConversion<string>().HasMaxLength(16);
            step.Property(s => s.StepId).HasMaxLength(128);
            step.Property(s => s.Node).HasMaxLength(32);
            step.Property(s => s.StartedAt).HasConversion(nullableTicks);
            step.Property(s => s.FinishedAt).HasConversion(nullableTicks);
            step.HasIndex(s => new { s.JobId, s.Index }).IsUnique();
        });

        modelBuilder.Entity<CloudResource>(resource =>
        {
            resource.HasKey(r => r.Id);
            resource.Property(r => r.Kind).HasMaxLength(32);
            resource.Property(r => r.ResourceId).HasMaxLength(128);
            resource.Property(r => r.RegionId).HasMaxLength(64);
            resource.Property(r => r.Node).HasMaxLength(32);
            resource.Property(r => r.CreatedAt).HasConversion(ticks);
            resource.Property(r => r.ReleasedAt).HasConversion(nullableTicks);
            resource.HasIndex(r => r.JobId);
            resource.HasOne<Job>().WithMany().HasForeignKey(r => r.JobId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<Monitoring.ReplicationPoint>(point =>
        {
            point.HasKey(p => p.Id);
            point.Property(p => p.ClusterName).HasMaxLength(64);
            point.Property(p => p.Node).HasMaxLength(32);
            point.Property(p => p.WorstState).HasConversion<string>().HasMaxLength(16);
            point.Property(p => p.MinuteStart).HasConversion(ticks);
            point.HasIndex(p => new { p.ClusterName, p.MinuteStart });
        });

        modelBuilder.Entity<Monitoring.AlertEvent>(alert =>
        {
            alert.HasKey(a => a.Id);
            alert.Property(a => a.ClusterName).HasMaxLength(64);
            alert.Property(a => a.Node).HasMaxLength(32);
            alert.Property(a => a.Rule).HasMaxLength(32);
            alert.Property(a => a.Kind).HasMaxLength(16);
            alert.Property(a => a.At).HasConversion(ticks);
            alert.HasIndex(a => new { a.ClusterName, a.At });
        });

        modelBuilder.Entity<Settings.PanelSetting>(setting =>
        {
            setting.HasKey(s => s.Key);
            setting.Property(s => s.Key).HasMaxLength(64);
            setting.Property(s => s.Value).HasMaxLength(600);
            setting.Property(s => s.UpdatedBy).HasMaxLength(128);
            setting.Property(s => s.UpdatedAt).HasConversion(ticks);
        });

        modelBuilder.Entity<Accounts.ApiToken>(token =>
        {
            token.HasKey(t => t.Id);
            token.Property(t => t.Name).HasMaxLength(100);
            token.Property(t => t.Hash).HasMaxLength(64);
            token.Property(t => t.Prefix).HasMaxLength(12);
            token.Property(t => t.CreatedAt).HasConversion(ticks);
            token.Property(t => t.RevokedAt).HasConversion(nullableTicks);
            token.Property(t => t.LastUsedAt).HasConversion(nullableTicks);
            token.HasIndex(t => t.Hash).IsUnique();
            token.HasIndex(t => t.UserId);
        });

        modelBuilder.Entity<ClusterRecord>(cluster =>
        {
            cluster.HasKey(c => c.Name);
            cluster.Property(c => c.Name).HasMaxLength(64);
            cluster.Property(c => c.PostgresVersion).HasMaxLength(8);
            cluster.Property(c => c.State).HasMaxLength(16)
                .HasConversion(s => ClusterStateText.Of(s), s => ClusterStateText.Parse(s));
            cluster.Property(c => c.CreatedAt).HasConversion(ticks);
            cluster.Property(c => c.UpdatedAt).HasConversion(ticks);
        });
    }
}
