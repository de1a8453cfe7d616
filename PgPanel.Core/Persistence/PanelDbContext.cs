using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using PgPanel.Core.Persistence.EntityConfigurations;
using PgPanel.Core.Records;

namespace PgPanel.Core.Persistence;

/// <summary>
/// The panel's SQLite store: job history (the audit trail), the clusters it built, monitoring history, settings and
/// accounts. Each entity's mapping is its own <see cref="IEntityTypeConfiguration{TEntity}"/> in EntityConfigurations/.
/// </summary>
public sealed class PanelDbContext(DbContextOptions<PanelDbContext> options) : IdentityDbContext<PanelUser>(options)
{
    public DbSet<Job> Jobs => Set<Job>();

    public DbSet<JobStep> JobSteps => Set<JobStep>();

    public DbSet<ClusterRecord> Clusters => Set<ClusterRecord>();

    public DbSet<CloudResource> CloudResources => Set<CloudResource>();

    public DbSet<ReplicationPoint> ReplicationPoints => Set<ReplicationPoint>();

    public DbSet<AlertEvent> AlertEvents => Set<AlertEvent>();

    public DbSet<PanelSetting> Settings => Set<PanelSetting>();

    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder
            .ApplyConfiguration(new JobEntityTypeConfiguration())
            .ApplyConfiguration(new JobStepEntityTypeConfiguration())
            .ApplyConfiguration(new CloudResourceEntityTypeConfiguration())
            .ApplyConfiguration(new ReplicationPointEntityTypeConfiguration())
            .ApplyConfiguration(new AlertEventEntityTypeConfiguration())
            .ApplyConfiguration(new PanelSettingEntityTypeConfiguration())
            .ApplyConfiguration(new ApiTokenEntityTypeConfiguration())
            .ApplyConfiguration(new ClusterRecordEntityTypeConfiguration());
    }
}
