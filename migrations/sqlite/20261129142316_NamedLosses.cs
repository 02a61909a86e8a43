using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sada.Data.Migrations
{
    /// <summary>
    /// The four fixed loss columns (total, la, contrastive, ce) become one JSON object of named losses, so any algorithm's
    /// terms are kept. Every stored value moves into the object under the name the algorithm gave it; Down moves them back.
    /// </summary>
    public partial class NamedLosses : Migration
    {
        static readonly (string Column, string Name)[] Fixed =
            [("LossTotal", "total"), ("LossLa", "la"), ("LossContrastive", "contrastive"), ("LossCe", "ce")];

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "LossesJson",
                table: "RunMetrics",
                type: "TEXT",
                nullable: false,
                defaultValue: "{}");

            // '"name":value,' per non-null column, the last comma trimmed.
            var members = string.Join(" || ", Fixed.Select(f =>
                $"CASE WHEN \"{f.Column}\" IS NULL THEN '' ELSE '\"{f.Name}\":' || CAST(\"{f.Column}\" AS TEXT) || ',' END"));
            migrationBuilder.Sql($"UPDATE \"RunMetrics\" SET \"LossesJson\" = '{{' || RTRIM({members}, ',') || '}}';");

            // SQLite's own DROP COLUMN (3.35 on), not EF's table rebuild: the rebuild turns foreign keys off with a PRAGMA that
            // cannot run in the migration's transaction, so a crash in the middle could leave the table half-moved.
            foreach (var (column, _) in Fixed)
                migrationBuilder.Sql($"ALTER TABLE \"RunMetrics\" DROP COLUMN \"{column}\";");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var (column, _) in Fixed)
                migrationBuilder.AddColumn<double>(name: column, table: "RunMetrics", type: "REAL", nullable: true);

            foreach (var (column, name) in Fixed)
                migrationBuilder.Sql($"UPDATE \"RunMetrics\" SET \"{column}\" = json_extract(\"LossesJson\", '$.{name}');");

            migrationBuilder.Sql("ALTER TABLE \"RunMetrics\" DROP COLUMN \"LossesJson\";");
        }
    }
}
