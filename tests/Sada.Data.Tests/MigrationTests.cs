using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Sada.Data.Entities;
using Sada.Data.Runs;

namespace Sada.Data.Tests;

/// <summary>The migrations of each provider, and the model on each (SQLite here, PostgreSQL in the subclass).</summary>
public class MigrationTests
{
    readonly string _provider;

    public MigrationTests() : this(TempDatabase.Sqlite) { }

    protected MigrationTests(string provider) => _provider = provider;

    [DbFact]
    public void Migrations_build_the_database_and_match_the_model()
    {
        using var temp = new TempDatabase(_provider);
        using var db = temp.Open();
        Assert.Equal(temp.IsPostgres, db is PostgresSadaDbContext);
        Assert.Empty(db.Database.GetPendingMigrations());
        Assert.NotEmpty(db.Database.GetAppliedMigrations());
        // A model change without a migration would make the app's Migrate() silently miss it.
        Assert.False(db.Database.HasPendingModelChanges(), "the model has changes no migration captures: add one with dotnet ef migrations add");
    }

    [Fact]
    public void Existing_sqlite_databases_keep_their_migration_ids()
    {
        using var temp = new TempDatabase();
        using var db = temp.Open();
        Assert.True(File.Exists(temp.Path));
        // The ids recorded in every existing database's history: moving the files under migrations/sqlite/ must not change them.
        Assert.Equal(["20261125194406_Initial", "20261125220206_Accounts"], db.Database.GetAppliedMigrations().Take(2));
    }

    [Fact]
    public void Named_losses_migration_keeps_every_stored_loss_under_its_name_and_down_puts_them_back()
    {
        using var temp = new TempDatabase();
        using var db = temp.Open();
        var migrator = db.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>();
        migrator.Migrate("20261125220206_Accounts");
        // ExecuteSqlRaw formats its text: braces are doubled.
        db.Database.ExecuteSqlRaw("""
            INSERT INTO Datasets (Id, Name, IsSynthetic, CreatedAt) VALUES (1, 'd', 0, '2026-11-25 12:00:00');
            INSERT INTO Runs (Id, DatasetId, HoldoutCenter, Algorithm, ConfigJson, Seed, Status, CreatedAt, Step, TotalSteps, CancelRequested)
                VALUES (1, 1, 'c', 'sada', '{{}}', 0, 'Completed', '2026-11-25 12:00:00', 8, 9, 0);
            INSERT INTO RunMetrics (RunId, Step, Stage, LossTotal, LossLa, LossContrastive, LossCe, PerClassRecallJson, ConfusionJson, ValidationJson, ElapsedSeconds, CreatedAt)
                VALUES (1, 0, 1, 2.5, 0.125, 1.75, NULL, '{{}}', '{{}}', '{{}}', 1, '2026-11-25 12:00:00'),
                       (1, 8, 2, 0.5, NULL, NULL, 0.5, '{{}}', '{{}}', '{{}}', 2, '2026-11-25 12:00:00'),
                       (1, 4, 1, NULL, NULL, NULL, NULL, '{{}}', '{{}}', '{{}}', 2, '2026-11-25 12:00:00');
            """);

        migrator.Migrate();
        var rows = db.RunMetrics.AsNoTracking().OrderBy(m => m.Step).ToList();
        Assert.Equal(new Dictionary<string, double> { ["total"] = 2.5, ["la"] = 0.125, ["contrastive"] = 1.75 }, RunStore.ReadLosses(rows[0]));
        Assert.Empty(RunStore.ReadLosses(rows[1]));
        Assert.Equal(new Dictionary<string, double> { ["total"] = 0.5, ["ce"] = 0.5 }, RunStore.ReadLosses(rows[2]));

        migrator.Migrate("20261125220206_Accounts");
        var back = db.Database.SqlQueryRaw<double>("SELECT LossContrastive AS Value FROM RunMetrics WHERE Step = 0").AsEnumerable().Single();
        Assert.Equal(1.75, back);
    }

    [Fact]
    public void Run_tracking_migration_gives_existing_runs_their_selected_evaluation_and_down_drops_the_columns()
    {
        using var temp = new TempDatabase();
        using var db = temp.Open();
        var migrator = db.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>();
        migrator.Migrate("20261129143815_ListIndexes");
        db.Database.ExecuteSqlRaw("""
            INSERT INTO Datasets (Id, Name, IsSynthetic, CreatedAt) VALUES (1, 'd', 0, '2026-11-25 12:00:00');
            INSERT INTO Runs (Id, DatasetId, HoldoutCenter, Algorithm, ConfigJson, Seed, Status, CreatedAt, Step, TotalSteps, CancelRequested)
                VALUES (1, 1, 'c', 'sada', '{{}}', 0, 'Completed', '2026-11-25 12:00:00', 8, 9, 0),
                       (2, 1, 'c', 'erm', '{{}}', 0, 'Queued', '2026-11-25 12:00:00', 0, 9, 0);
            INSERT INTO RunMetrics (RunId, Step, Stage, LossesJson, HeldOutAccuracy, HeldOutF1Macro, ValidationAccuracy, PerClassRecallJson, ConfusionJson, ValidationJson, ElapsedSeconds, CreatedAt)
                VALUES (1, 0, 1, '{{}}', 0.25, 0.125, 0.5, '{{}}', '{{}}', '{{}}', 1, '2026-11-25 12:00:00'),
                       (1, 4, 2, '{{}}', 0.75, 0.625, 0.875, '{{}}', '{{}}', '{{}}', 2, '2026-11-25 12:00:00'),
                       (1, 8, 2, '{{}}', 0.5, 0.375, 0.875, '{{}}', '{{}}', '{{}}', 2, '2026-11-25 12:00:00');
            """);

        migrator.Migrate();
        var runs = db.Runs.AsNoTracking().OrderBy(r => r.Id).ToList();
        Assert.Equal((4, 0.75, 0.625), (runs[0].SelectedStep!.Value, runs[0].SelectedAccuracy!.Value, runs[0].SelectedF1Macro!.Value));
        Assert.Null(runs[1].SelectedStep);

        migrator.Migrate("20261129143815_ListIndexes");
        var columns = db.Database.SqlQueryRaw<string>("SELECT name AS Value FROM pragma_table_info('Runs')").AsEnumerable().ToList();
        Assert.DoesNotContain("SelectedStep", columns);
        Assert.Contains("HoldoutCenter", columns);
        Assert.Equal(3, db.Database.SqlQueryRaw<int>("SELECT COUNT(*) AS Value FROM RunMetrics").AsEnumerable().Single());
    }

    [Fact]
    public void Database_runs_in_wal_mode()
    {
        using var temp = new TempDatabase();
        using var db = temp.Open();
        var mode = db.Database.SqlQueryRaw<string>("PRAGMA journal_mode").AsEnumerable().Single();
        Assert.Equal("wal", mode);
    }

    [DbFact]
    public void Dataset_with_centers_images_and_a_run_round_trips()
    {
        using var temp = new TempDatabase(_provider);
        var now = new DateTime(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);
        using (var db = temp.Open())
        {
            var file = new StoredFile { Hash = new string('a', 64), Extension = ".png", SizeBytes = 1234, Width = 96, Height = 96 };
            var dataset = new Dataset
            {
                Name = "synthetic", IsSynthetic = true, CreatedAt = now,
                Centers =
                [
                    new Center
                    {
                        Name = "center-a", ImageCount = 1, CreatedAt = now, ClassCountsJson = """{"neutrophil":1}""",
                        Images = [new CellImage { ClassName = "neutrophil", OriginalName = "n1.png", Hash = file.Hash, File = file, Width = 96, Height = 96 }],
                    },
                    new Center { Name = "center-b", CreatedAt = now },
                ],
            };
            db.Datasets.Add(dataset);
            db.SaveChanges();
            db.Runs.Add(new Run
            {
                DatasetId = dataset.Id, HoldoutCenter = "center-b", Algorithm = "sada", ConfigJson = """{"k":3}""",
                Seed = 1, Status = RunStatus.Queued, CreatedAt = now, TotalSteps = 100,
                Metrics = [new RunMetric { Step = 50, Stage = 1, LossesJson = """{"total":1.5,"la":0.25}""", CreatedAt = now }],
            });
            db.SaveChanges();
        }

        using (var db = temp.Open())
        {
            var dataset = db.Datasets.Include(d => d.Centers).ThenInclude(c => c.Images).ThenInclude(i => i.File).Single();
            Assert.Equal("synthetic", dataset.Name);
            Assert.Equal(now, DateTime.SpecifyKind(dataset.CreatedAt, DateTimeKind.Utc));
            Assert.Equal(["center-a", "center-b"], dataset.Centers.Select(c => c.Name).Order());
            var image = dataset.Centers.Single(c => c.Name == "center-a").Images.Single();
            Assert.Equal(1234, image.File!.SizeBytes);
            var run = db.Runs.Include(r => r.Metrics).Single();
            Assert.Equal(RunStatus.Queued, run.Status);
            Assert.Equal(0.25, RunStore.ReadLosses(run.Metrics.Single())["la"]);
            // Status is stored by name, so the column stays readable and reorderable.
            var raw = db.Database.SqlQueryRaw<string>("""SELECT "Status" AS "Value" FROM "Runs" """).AsEnumerable().Single();
            Assert.Equal("Queued", raw);
        }
    }

    [DbFact]
    public void A_center_name_is_unique_within_its_dataset()
    {
        using var temp = new TempDatabase(_provider);
        using var db = temp.Open();
        db.Datasets.Add(new Dataset { Name = "d", Centers = [new Center { Name = "x" }, new Center { Name = "x" }] });
        Assert.Throws<DbUpdateException>(() => db.SaveChanges());
    }

    [DbFact]
    public void A_dataset_that_runs_used_cannot_be_deleted_underneath_them()
    {
        using var temp = new TempDatabase(_provider);
        using var db = temp.Open();
        var dataset = new Dataset { Name = "d", Centers = [new Center { Name = "x" }] };
        db.Datasets.Add(dataset);
        db.SaveChanges();
        db.Runs.Add(new Run { DatasetId = dataset.Id, HoldoutCenter = "x", Algorithm = "erm", ConfigJson = "{}" });
        db.SaveChanges();

        // A fresh context, so the database's foreign key refuses it (not EF's change tracker).
        using var other = temp.Open();
        other.Datasets.Remove(other.Datasets.Single());
        Assert.Throws<DbUpdateException>(() => other.SaveChanges());
        using var check = temp.Open();
        Assert.Equal(1, check.Datasets.Count());
    }
}

public sealed class MigrationTestsOnPostgres() : MigrationTests(TempDatabase.Postgres), IOnPostgres;
