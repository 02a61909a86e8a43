using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Sada.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class RunTracking : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "CollapseStep",
                table: "Runs",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Name",
                table: "Runs",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Notes",
                table: "Runs",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "SelectedAccuracy",
                table: "Runs",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "SelectedF1Macro",
                table: "Runs",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "SelectedStep",
                table: "Runs",
                type: "integer",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "RunStepLosses",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RunId = table.Column<int>(type: "integer", nullable: false),
                    Step = table.Column<int>(type: "integer", nullable: false),
                    Stage = table.Column<int>(type: "integer", nullable: false),
                    LossesJson = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RunStepLosses", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RunStepLosses_Runs_RunId",
                        column: x => x.RunId,
                        principalTable: "Runs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "RunTags",
                columns: table => new
                {
                    RunId = table.Column<int>(type: "integer", nullable: false),
                    Name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RunTags", x => new { x.RunId, x.Name });
                    table.ForeignKey(
                        name: "FK_RunTags_Runs_RunId",
                        column: x => x.RunId,
                        principalTable: "Runs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "UserSettings",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: false),
                    DarkMode = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UserSettings", x => x.UserId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_RunStepLosses_RunId_Step",
                table: "RunStepLosses",
                columns: new[] { "RunId", "Step" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RunTags_Name",
                table: "RunTags",
                column: "Name");

            // Existing runs get their selected evaluation by the study table's rule: best validation, ties to the earliest step.
            migrationBuilder.Sql("UPDATE \"Runs\" SET \"SelectedStep\" = (SELECT m.\"Step\" FROM \"RunMetrics\" m WHERE m.\"RunId\" = \"Runs\".\"Id\" " +
                "AND m.\"ValidationAccuracy\" IS NOT NULL ORDER BY m.\"ValidationAccuracy\" DESC, m.\"Step\" LIMIT 1);");
            migrationBuilder.Sql("UPDATE \"Runs\" SET " +
                "\"SelectedAccuracy\" = (SELECT m.\"HeldOutAccuracy\" FROM \"RunMetrics\" m WHERE m.\"RunId\" = \"Runs\".\"Id\" AND m.\"Step\" = \"Runs\".\"SelectedStep\"), " +
                "\"SelectedF1Macro\" = (SELECT m.\"HeldOutF1Macro\" FROM \"RunMetrics\" m WHERE m.\"RunId\" = \"Runs\".\"Id\" AND m.\"Step\" = \"Runs\".\"SelectedStep\") " +
                "WHERE \"SelectedStep\" IS NOT NULL;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "RunStepLosses");

            migrationBuilder.DropTable(
                name: "RunTags");

            migrationBuilder.DropTable(
                name: "UserSettings");

            migrationBuilder.DropColumn(
                name: "CollapseStep",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "Name",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "Notes",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "SelectedAccuracy",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "SelectedF1Macro",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "SelectedStep",
                table: "Runs");
        }
    }
}
