using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using PgPanel.Core;
using PgPanel.Core.Persistence;
using PgPanel.Core.Records;
using PgPanel.Tests.TestBed;

namespace PgPanel.Tests.Unit.Clusters;

/// <summary>The cluster state is an enum in code and the same lower-case text as before in the store and the API.</summary>
public sealed class ClusterStateStorageTests : IDisposable
{
    private readonly TestDirectory _directory = new("cluster-state");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task The_store_keeps_ready_and_provisioning_as_text_and_reads_them_back()
    {
        var path = Path.Combine(_directory.Path, "pgpanel.db");
        var options = new DbContextOptionsBuilder<PanelDbContext>().UseSqlite($"Data Source={path};Pooling=false").Options;
        await using (var db = new PanelDbContext(options))
        {
            await db.Database.MigrateAsync();
            db.Clusters.Add(new ClusterRecord { Name = "built", PostgresVersion = "15", SpecJson = "{}", State = ClusterState.Ready });
            db.Clusters.Add(new ClusterRecord { Name = "building", PostgresVersion = "15", SpecJson = "{}" });
            await db.SaveChangesAsync();
        }

        await using (var raw = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            await raw.OpenAsync();
            await using var read = raw.CreateCommand();
            read.CommandText = "SELECT group_concat(Name || '=' || State, ',') FROM (SELECT Name, State FROM Clusters ORDER BY Name)";
            Assert.Equal("building=provisioning,built=ready", await read.ExecuteScalarAsync());
        }

        await using (var db = new PanelDbContext(options))
        {
            Assert.Equal(ClusterState.Ready, (await db.Clusters.SingleAsync(c => c.Name == "built")).State);
            Assert.Equal("built", (await db.Clusters.SingleAsync(c => c.State == ClusterState.Ready)).Name);
        }
    }

    [Fact]
    public void The_api_writes_the_state_in_lower_case()
    {
        Assert.Equal("\"ready\"", PanelJson.Serialize(ClusterState.Ready));
        Assert.Equal("\"provisioning\"", PanelJson.Serialize(ClusterState.Provisioning));
    }
}
