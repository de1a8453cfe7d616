using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PgPanel.Core.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class MonitoringHistory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AlertEvents",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ClusterName = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Node = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Rule = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Value = table.Column<double>(type: "REAL", nullable: true),
                    Message = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AlertEvents", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ReplicationPoints",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ClusterName = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Node = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    MinuteStart = table.Column<long>(type: "INTEGER", nullable: false),
                    MaxReplayLagBytes = table.Column<long>(type: "INTEGER", nullable: true),
                    MaxReplayDelaySeconds = table.Column<double>(type: "REAL", nullable: true),
                    WorstState = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Samples = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReplicationPoints", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AlertEvents_ClusterName_At",
                table: "AlertEvents",
                columns: new[] { "ClusterName", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_ReplicationPoints_ClusterName_MinuteStart",
                table: "ReplicationPoints",
                columns: new[] { "ClusterName", "MinuteStart" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AlertEvents");

            migrationBuilder.DropTable(
                name: "ReplicationPoints");
        }
    }
}
