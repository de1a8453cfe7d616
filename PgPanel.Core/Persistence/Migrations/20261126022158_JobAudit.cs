using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PgPanel.Core.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class JobAudit : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Audit",
                table: "Jobs",
                type: "TEXT",
                nullable: false,
                defaultValue: "");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Audit",
                table: "Jobs");
        }
    }
}
