using Microsoft.Extensions.Time.Testing;
using Sada.Core.Algorithms;
using Sada.Data.Entities;
using Sada.Data.Studies;

namespace Sada.Data.Tests.Studies;

/// <summary>
/// A study of SADA and ERM x held-out centers a, b x seeds 0, 1, 2, with chosen metric rows; every expected number
/// below is worked out by hand in the comments.
/// </summary>
public class StudyTableTests : IDisposable
{
    readonly TempDatabase _db;
    readonly StudyService _studies;
    readonly int _studyId;

    static readonly AlgorithmConfig Short = new() { Steps = 20, Stage1Steps = 10, EvalEvery = 5 };

    public StudyTableTests() : this(TempDatabase.Sqlite) { }

    protected StudyTableTests(string provider)
    {
        _db = new TempDatabase(provider);
        var dbs = new DbFactory(_db);
        dbs.AddDataset("cells", "a", "b");
        _studies = new StudyService(dbs, new FakeTimeProvider());
        _studyId = _studies.CreateAsync(new StudyRequest("table", "cells",
            [new("SADA", Short), new("ERM", Short with { Algorithm = "erm" })], null, [0, 1, 2])).GetAwaiter().GetResult().Id;

        // SADA, a. Seed 0: the selected row (best validation) is step 5, not the last one.
        Complete("sada", "a", 0, (5, 0.90, 0.80, 0.70), (10, 0.85, 0.99, 0.99));
        // Seed 1: a tie in validation accuracy goes to the earliest step.
        Complete("sada", "a", 1, (5, 0.90, 0.82, 0.70), (10, 0.90, 0.50, 0.50));
        Complete("sada", "a", 2, (5, 0.50, 0.10, 0.10), (10, 0.95, 0.84, 0.76));
        // SADA, b
        Complete("sada", "b", 0, (5, 0.90, 0.60, 0.50));
        Complete("sada", "b", 1, (5, 0.90, 0.70, 0.55));
        Complete("sada", "b", 2, (5, 0.90, 0.80, 0.60));
        // ERM, a: seed 2 still queued (an incomplete cell, 2/3); a row without validation accuracy is never selected.
        Complete("erm", "a", 0, (5, 0.80, 0.85, 0.60), (10, null, 0.99, 0.99));
        Complete("erm", "a", 1, (5, 0.80, 0.87, 0.62));
        // ERM, b
        Complete("erm", "b", 0, (5, 0.70, 0.50, 0.40));
        Complete("erm", "b", 1, (5, 0.70, 0.50, 0.40));
        Complete("erm", "b", 2, (5, 0.70, 0.50, 0.40));
    }

    public void Dispose() => _db.Dispose();

    void Complete(string algorithm, string center, int seed, params (int Step, double? Validation, double Micro, double Macro)[] rows)
    {
        using var db = _db.Open();
        var run = db.Runs.Single(r => r.StudyId == _studyId && r.Algorithm == algorithm && r.HoldoutCenter == center && r.Seed == seed);
        run.Status = RunStatus.Completed;
        foreach (var (step, validation, micro, macro) in rows)
            db.RunMetrics.Add(new RunMetric { RunId = run.Id, Step = step, Stage = 2, ValidationAccuracy = validation, HeldOutAccuracy = micro, HeldOutF1Macro = macro });
        db.SaveChanges();
    }

    async Task<StudyTable> Table() => (await _studies.TableAsync(_studyId))!;

    static void AssertStat(SeedStat stat, double mean, double? std, int n)
    {
        Assert.Equal(mean, stat.Mean!.Value, 1e-12);
        if (std is null) Assert.Null(stat.Std); else Assert.Equal(std.Value, stat.Std!.Value, 1e-12);
        Assert.Equal(n, stat.N);
        Assert.Equal(3, stat.Expected);
    }

    [DbFact]
    public async Task Cells_are_mean_and_sample_std_over_seeds_of_the_selected_evaluations()
    {
        var table = await Table();
        Assert.Equal(["a", "b", "average"], table.Columns);
        Assert.Equal(["SADA", "ERM"], table.Rows.Select(r => r.Variant));
        var sada = table.Rows[0].Cells;
        var erm = table.Rows[1].Cells;

        // SADA a micro: 0.80, 0.82, 0.84 -> mean 0.82, std sqrt((0.02^2 + 0 + 0.02^2) / 2) = 0.02
        AssertStat(sada[0].F1Micro, 0.82, 0.02, 3);
        // macro: 0.70, 0.70, 0.76 -> mean 0.72, std sqrt((0.0004 + 0.0004 + 0.0016) / 2) = sqrt(0.0012)
        AssertStat(sada[0].F1Macro, 0.72, Math.Sqrt(0.0012), 3);
        // SADA b: 0.60, 0.70, 0.80 -> 0.70 +- 0.10; 0.50, 0.55, 0.60 -> 0.55 +- 0.05
        AssertStat(sada[1].F1Micro, 0.70, 0.10, 3);
        AssertStat(sada[1].F1Macro, 0.55, 0.05, 3);
        // SADA average, per seed over a and b: micro 0.70, 0.76, 0.82 -> 0.76 +- 0.06;
        // macro 0.60, 0.625, 0.68 -> 0.635, std sqrt((0.035^2 + 0.01^2 + 0.045^2) / 2) = sqrt(0.001675)
        AssertStat(sada[2].F1Micro, 0.76, 0.06, 3);
        AssertStat(sada[2].F1Macro, 0.635, Math.Sqrt(0.001675), 3);

        // ERM a (seed 2 queued): 0.85, 0.87 -> 0.86 +- sqrt(0.0002); 0.60, 0.62 -> 0.61 +- sqrt(0.0002)
        AssertStat(erm[0].F1Micro, 0.86, Math.Sqrt(0.0002), 2);
        AssertStat(erm[0].F1Macro, 0.61, Math.Sqrt(0.0002), 2);
        Assert.False(erm[0].F1Micro.Complete);
        AssertStat(erm[1].F1Micro, 0.50, 0.0, 3);
        // ERM average only over seeds 0 and 1 (seed 2 lacks center a): micro 0.675, 0.685 -> 0.68 +- sqrt(0.00005)
        AssertStat(erm[2].F1Micro, 0.68, Math.Sqrt(0.00005), 2);
        AssertStat(erm[2].F1Macro, 0.505, Math.Sqrt(0.00005), 2);

        // Best per column: ERM on a's F1-micro (86.0 > 82.0), SADA everywhere else.
        Assert.Equal([false, true, true], sada.Select(c => c.BestF1Micro));
        Assert.Equal([true, true, true], sada.Select(c => c.BestF1Macro));
        Assert.Equal([true, false, false], erm.Select(c => c.BestF1Micro));
        Assert.Equal([false, false, false], erm.Select(c => c.BestF1Macro));
    }

    [DbFact]
    public async Task A_single_seed_has_no_std_and_failed_runs_do_not_count()
    {
        using (var db = _db.Open())
        {
            // Fail SADA a seed 1 and 2: one seed left.
            foreach (var run in db.Runs.Where(r => r.Algorithm == "sada" && r.HoldoutCenter == "a" && r.Seed > 0)) run.Status = RunStatus.Failed;
            db.SaveChanges();
        }
        var cell = (await Table()).Rows[0].Cells[0];
        AssertStat(cell.F1Micro, 0.80, null, 1);
    }

    [DbFact]
    public async Task Csv_has_the_numbers_in_percent_and_the_best_flags()
    {
        var csv = (await Table()).ToCsv().Split('\n');
        Assert.Equal("variant,held_out,metric,mean_pct,sample_std_pct,seeds_done,seeds_expected,best", csv[0]);
        Assert.Contains("SADA,a,f1_micro,82.00,2.00,3,3,false", csv);
        Assert.Contains("SADA,a,f1_macro,72.00,3.46,3,3,true", csv);
        Assert.Contains("SADA,average,f1_macro,63.50,4.09,3,3,true", csv);
        Assert.Contains("ERM,a,f1_micro,86.00,1.41,2,3,true", csv);
        Assert.Contains("ERM,average,f1_micro,68.00,0.71,2,3,false", csv);
        Assert.Equal(1 + 2 * 3 * 2, csv.Count(l => l.Length > 0));
    }

    [DbFact]
    public async Task Latex_is_a_booktabs_table_with_the_best_in_bold_and_incomplete_counts()
    {
        var tex = await Table() is var t ? t.ToLatex() : "";
        Assert.Contains("\\toprule", tex);
        Assert.Contains("\\midrule", tex);
        Assert.Contains("\\bottomrule", tex);
        Assert.Contains("sample standard deviation ($n-1$)", tex);
        Assert.Contains("Method & a & b & Average \\\\", tex);
        Assert.Contains("SADA & 82.0 $\\pm$ 2.0 / \\textbf{72.0} $\\pm$ 3.5 & \\textbf{70.0} $\\pm$ 10.0 / \\textbf{55.0} $\\pm$ 5.0 & \\textbf{76.0} $\\pm$ 6.0 / \\textbf{63.5} $\\pm$ 4.1 \\\\", tex);
        Assert.Contains("ERM & \\textbf{86.0} $\\pm$ 1.4 / 61.0 $\\pm$ 1.4 (2/3) & 50.0 $\\pm$ 0.0 / 40.0 $\\pm$ 0.0 & 68.0 $\\pm$ 0.7 / 50.5 $\\pm$ 0.7 (2/3) \\\\", tex);
    }

    [DbFact]
    public async Task Hand_picked_runs_are_one_row_each_named_by_id_and_config_even_with_the_same_config_and_seed()
    {
        using var db = _db.Open();
        var erm = db.Runs.Where(r => r.Algorithm == "erm" && r.HoldoutCenter == "a" && r.Status == RunStatus.Completed).OrderBy(r => r.Id).ToList();
        // A re-run of ERM seed 0 on a: the same config and seed as erm[0], another result. It must not replace erm[0]'s number.
        var again = new Run
        {
            DatasetId = erm[0].DatasetId, HoldoutCenter = "a", Algorithm = "erm", Seed = 0, Status = RunStatus.Completed, ConfigJson = erm[0].ConfigJson,
            Name = "erm again", Metrics = [new RunMetric { Step = 5, Stage = 2, ValidationAccuracy = 0.9, HeldOutAccuracy = 0.40, HeldOutF1Macro = 0.30 }],
        };
        db.Runs.Add(again);
        db.SaveChanges();
        var ids = erm.Select(r => r.Id).Append(again.Id).ToList();

        var table = await _studies.TableForRunsAsync("erm runs", ids);

        Assert.Equal([$"#{erm[0].Id} ", $"#{erm[1].Id} ", $"#{again.Id} "], table.Rows.Select(r => r.Variant[..(r.Variant.IndexOf(' ', StringComparison.Ordinal) + 1)]));
        Assert.StartsWith($"#{erm[0].Id} erm ", table.Rows[0].Variant);
        Assert.Contains("steps=20", table.Rows[0].Variant);
        Assert.EndsWith(" seed 0", table.Rows[0].Variant);
        Assert.EndsWith(" seed 1", table.Rows[1].Variant);
        Assert.Equal($"#{again.Id} erm again", table.Rows[2].Variant);
        // Each cell is its run's own selected evaluation, complete (one run expected per row).
        Assert.Equal([0.85, 0.87, 0.40], table.Rows.Select(r => Math.Round(r.Cells[0].F1Micro.Mean!.Value, 12)));
        Assert.All(table.Rows, r => Assert.True(r.Cells[0].F1Micro.Complete));
    }

    [DbFact]
    public void Selection_is_the_best_validation_accuracy_ties_to_the_earliest_step()
    {
        var selected = StudyTable.Select([new(10, 0.9, 0.1, 0.1), new(5, 0.9, 0.2, 0.2), new(15, 0.8, 0.3, 0.3), new(20, null, 0.9, 0.9)]);
        Assert.Equal(5, selected!.Step);
        Assert.Null(StudyTable.Select([new(5, null, 0.5, 0.5)]));
    }
}

public sealed class StudyTableTestsOnPostgres() : StudyTableTests(TempDatabase.Postgres), IOnPostgres;
