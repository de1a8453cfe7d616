using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace PgPanel.Core.Persistence;

/// <summary>
/// Lets <c>dotnet ef migrations add &lt;Name&gt; --project PgPanel.Core --startup-project PgPanel.Web</c> build the context
/// without starting the panel; the migration goes beside the snapshot, into Persistence/Migrations.
/// </summary>
internal sealed class PanelDbContextDesignFactory : IDesignTimeDbContextFactory<PanelDbContext>
{
    public PanelDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PanelDbContext>().UseSqlite("Data Source=design.db").Options);
}
