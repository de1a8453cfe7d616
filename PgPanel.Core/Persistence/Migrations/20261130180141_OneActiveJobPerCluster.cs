using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PgPanel.Core.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class OneActiveJobPerCluster : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A store from before this index may hold two active jobs of one cluster (the old check-then-insert race):
            // all but the newest are interrupted, as after a restart, so that the index can be built and they can be resumed.
            migrationBuilder.Sql(
                "UPDATE \"Jobs\" SET \"Status\" = 'Interrupted', \"Error\" = 'Another run of this cluster was active at the upgrade.', " +
                "\"FinishedAt\" = \"CreatedAt\" WHERE \"Status\" IN ('Queued', 'Running') AND EXISTS " +
                "(SELECT 1 FROM \"Jobs\" AS newer WHERE newer.\"ClusterName\" = \"Jobs\".\"ClusterName\" AND newer.\"Status\" IN ('Queued', 'Running') " +
                "AND (newer.\"CreatedAt\" > \"Jobs\".\"CreatedAt\" OR (newer.\"CreatedAt\" = \"Jobs\".\"CreatedAt\" AND newer.\"Id\" > \"Jobs\".\"Id\")))");
            migrationBuilder.CreateIndex(
                name: "IX_Jobs_OneActivePerCluster",
                table: "Jobs",
                column: "ClusterName",
                unique: true,
                filter: "\"Status\" IN ('Queued', 'Running')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Jobs_OneActivePerCluster",
                table: "Jobs");
        }
    }
}
