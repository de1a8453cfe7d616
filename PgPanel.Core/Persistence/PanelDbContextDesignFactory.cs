using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace PgPanel.Core.Persistence;

/// <summary>Lets `dotnet ef migrations add` build the context without starting the panel.</summary>
internal sealed class PanelDbContextDesignFactory : IDesignTimeDbContextFactory<PanelDbContext>
{
    public PanelDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PanelDbContext>().UseSqlite("Data Source=design.db").Options);
}
