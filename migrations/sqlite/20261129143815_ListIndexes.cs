using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sada.Data.Migrations
{
    /// <inheritdoc />
    public partial class ListIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Runs_DatasetId",
                table: "Runs");

            migrationBuilder.DropIndex(
                name: "IX_Runs_StudyId",
                table: "Runs");

            migrationBuilder.CreateIndex(
                name: "IX_Studies_CreatedAt_Id",
                table: "Studies",
                columns: new[] { "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Runs_CreatedAt_Id",
                table: "Runs",
                columns: new[] { "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Runs_DatasetId_CreatedAt_Id",
                table: "Runs",
                columns: new[] { "DatasetId", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Runs_Status_CreatedAt_Id",
                table: "Runs",
                columns: new[] { "Status", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Runs_StudyId_CreatedAt_Id",
                table: "Runs",
                columns: new[] { "StudyId", "CreatedAt", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Studies_CreatedAt_Id",
                table: "Studies");

            migrationBuilder.DropIndex(
                name: "IX_Runs_CreatedAt_Id",
                table: "Runs");

            migrationBuilder.DropIndex(
                name: "IX_Runs_DatasetId_CreatedAt_Id",
                table: "Runs");

            migrationBuilder.DropIndex(
                name: "IX_Runs_Status_CreatedAt_Id",
                table: "Runs");

            migrationBuilder.DropIndex(
                name: "IX_Runs_StudyId_CreatedAt_Id",
                table: "Runs");

            migrationBuilder.CreateIndex(
                name: "IX_Runs_DatasetId",
                table: "Runs",
                column: "DatasetId");

            migrationBuilder.CreateIndex(
                name: "IX_Runs_StudyId",
                table: "Runs",
                column: "StudyId");
        }
    }
}
