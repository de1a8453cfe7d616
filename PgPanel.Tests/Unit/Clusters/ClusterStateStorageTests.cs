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

    [Theory]
    [InlineData("Ready")]
    [InlineData("built")]
    [InlineData("")]
    public async Task A_state_the_panel_never_writes_is_an_error_naming_it_not_a_provisioning_cluster(string text)
    {
        var path = Path.Combine(_directory.Path, "pgpanel.db");
        var options = new DbContextOptionsBuilder<PanelDbContext>().UseSqlite($"Data Source={path};Pooling=false").Options;
        await using (var db = new PanelDbContext(options))
        {
            await db.Database.MigrateAsync();
            db.Clusters.Add(new ClusterRecord { Name = "odd", PostgresVersion = "15", SpecJson = "{}", State = ClusterState.Ready });
            await db.SaveChangesAsync();
        }

        await using (var raw = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            await raw.OpenAsync();
            await using var write = raw.CreateCommand();
            write.CommandText = "UPDATE Clusters SET State = $state WHERE Name = 'odd'";
            write.Parameters.AddWithValue("$state", text);
            Assert.Equal(1, await write.ExecuteNonQueryAsync());
        }

        await using (var db = new PanelDbContext(options))
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => db.Clusters.SingleAsync(c => c.Name == "odd"));
            Assert.Contains($"cluster state '{text}'", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Each_state_has_one_text_and_reads_back()
    {
        foreach (var state in Enum.GetValues<ClusterState>())
        {
            Assert.Equal(state, ClusterStateText.Parse(ClusterStateText.Of(state)));
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => ClusterStateText.Of((ClusterState)7));
    }

    [Fact]
    public void The_api_writes_the_state_in_lower_case()
    {
        Assert.Equal("\"ready\"", PanelJson.Serialize(ClusterState.Ready));
        Assert.Equal("\"provisioning\"", PanelJson.Serialize(ClusterState.Provisioning));
    }
}
