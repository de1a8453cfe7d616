using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PgPanel.Core.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class HostKeyPins : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "HostKeysJson",
                table: "Clusters",
                type: "TEXT",
                nullable: false,
                defaultValue: "");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "HostKeysJson",
                table: "Clusters");
        }
    }
}
