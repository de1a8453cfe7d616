using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PgPanel.Core.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class JobSecretsAndSlots : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "DropSlotsJson",
                table: "Jobs",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "SealedSecretsJson",
                table: "Jobs",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "SecretSourcesJson",
                table: "Jobs",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<Guid>(
                name: "LastSucceededJobId",
                table: "Clusters",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "DropSlotsJson",
                table: "Jobs");

            migrationBuilder.DropColumn(
                name: "SealedSecretsJson",
                table: "Jobs");

            migrationBuilder.DropColumn(
                name: "SecretSourcesJson",
                table: "Jobs");

            migrationBuilder.DropColumn(
                name: "LastSucceededJobId",
                table: "Clusters");
        }
    }
}
