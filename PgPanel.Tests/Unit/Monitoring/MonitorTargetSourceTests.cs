using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using PgPanel.Core;
using PgPanel.Core.Clusters;
using PgPanel.Core.Monitoring;
using PgPanel.Core.Persistence;
using PgPanel.Core.Records;
using PgPanel.Core.Security;
using PgPanel.Core.Specs;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.Unit.Monitoring;

/// <summary>The monitor's targets come from the cluster list in one read; one cluster that cannot be read does not hide the others.</summary>
public sealed class MonitorTargetSourceTests : IDisposable
{
    private readonly TestDirectory _directory = new("monitor-targets");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_cluster_whose_stored_spec_cannot_be_read_is_left_out_and_the_others_are_watched()
    {
        var options = new DbContextOptionsBuilder<PanelDbContext>().UseSqlite($"Data Source={Path.Combine(_directory.Path, "pgpanel.db")};Pooling=false").Options;
        var protector = new SecretProtector(new EphemeralDataProtectionProvider());
        var secrets = PanelJson.Serialize(new Dictionary<string, string> { [PlanDefaults.MonitorPasswordSecret] = protector.Seal(new PgPanel.Core.Security.Secret("monitor-password")) });
        await using (var db = new PanelDbContext(options))
        {
            await db.Database.MigrateAsync();
            var good = SpecBuilder.Local(PgVersion.Of(15)) with { Name = "good" };
            db.Clusters.Add(new ClusterRecord { Name = "broken", PostgresVersion = "15", SpecJson = "{ \"name\": \"broken\", \"cloud\": { \"image\": 7 ", SealedSecretsJson = secrets, State = ClusterState.Ready });
            db.Clusters.Add(new ClusterRecord { Name = "good", PostgresVersion = "15", SpecJson = PanelJson.Serialize(good), SealedSecretsJson = secrets, State = ClusterState.Ready });
            db.Clusters.Add(new ClusterRecord { Name = "unreadable-secret", PostgresVersion = "15", SpecJson = PanelJson.Serialize(good with { Name = "unreadable-secret" }),
                SealedSecretsJson = PanelJson.Serialize(new Dictionary<string, string> { [PlanDefaults.MonitorPasswordSecret] = "not-sealed-by-this-panel" }), State = ClusterState.Ready });
            await db.SaveChangesAsync();
        }

        var clusters = new ClusterStore(new PooledDbContextFactory<PanelDbContext>(options), protector, TimeProvider.System);
        var targets = await new MonitorTargetSource(clusters, protector, NullLogger<MonitorTargetSource>.Instance).LoadAsync();

        var target = Assert.Single(targets);
        Assert.Equal("good", target.ClusterName);
        Assert.Equal("monitor-password", target.Password.Reveal());
        Assert.Equal(["primary", "standby1"], target.Nodes.Select(n => n.Id));
    }
}
