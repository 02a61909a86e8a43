using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Sada.Core.Algorithms;
using Sada.Data.Entities;
using Sada.Data.Runs;
using Sada.Data.Studies;

namespace Sada.Data.Tests.Studies;

public class StudyServiceTests : IDisposable
{
    readonly TempDatabase _db;
    readonly DbFactory _dbs;
    readonly StudyService _studies;

    public StudyServiceTests() : this(TempDatabase.Sqlite) { }

    protected StudyServiceTests(string provider)
    {
        _db = new TempDatabase(provider);
        _dbs = new DbFactory(_db);
        _dbs.AddDataset("cells", "a", "b", "c");
        _studies = new StudyService(_dbs, new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero)));
    }

    public void Dispose() => _db.Dispose();

    static readonly AlgorithmConfig Short = new() { Steps = 20, Stage1Steps = 10, EvalEvery = 5 };

    [DbFact]
    public async Task Two_algorithms_by_two_held_out_centers_by_two_seeds_queue_eight_runs()
    {
        var study = await _studies.CreateAsync(new StudyRequest("sada vs erm", "cells",
            [new("SADA", Short), new("ERM", Short with { Algorithm = "erm" })], ["a", "c"], [0, 1]));

        using var db = _db.Open();
        var runs = db.Runs.AsNoTracking().Where(r => r.StudyId == study.Id).OrderBy(r => r.Id).ToList();
        Assert.Equal(8, runs.Count);
        Assert.Equal(8, db.Runs.Count());
        Assert.All(runs, r => Assert.Equal(RunStatus.Queued, r.Status));
        Assert.Equal(
            [("sada", "a", 0), ("sada", "a", 1), ("sada", "c", 0), ("sada", "c", 1), ("erm", "a", 0), ("erm", "a", 1), ("erm", "c", 0), ("erm", "c", 1)],
            runs.Select(r => (r.Algorithm, r.HoldoutCenter, r.Seed)));
        Assert.All(runs, r => Assert.Equal(r.Seed, AlgorithmConfig.FromJson(r.ConfigJson).Seed));
        Assert.All(runs, r => Assert.Equal(20, r.TotalSteps));

        var grid = StudyGrid.FromJson(db.Studies.Single().GridJson);
        Assert.Equal(["SADA", "ERM"], grid.Variants.Select(v => v.Name));
        Assert.Equal(Short with { Algorithm = "erm" }, grid.Variants[1].Config);
        Assert.Equal(["a", "c"], grid.HeldOut);
        Assert.Equal([0, 1], grid.Seeds);
    }

    [DbFact]
    public async Task The_full_ablation_preset_holds_out_every_center_with_three_seeds()
    {
        var request = StudyService.FullAblation("ablation", "cells", Short);
        Assert.Equal(["SADA", "SADA w/o SBA", "SADA w/o LA", "SADA w/o DISC", "SADA single-stage", "ERM"], request.Variants.Select(v => v.Name));
        Assert.False(request.Variants[1].Config.StainAugmentation);
        Assert.Equal(0, request.Variants[2].Config.LaWeight);
        Assert.Equal(ContrastMode.None, request.Variants[3].Config.Contrast);
        Assert.False(request.Variants[4].Config.TwoStage);
        Assert.Equal("erm", request.Variants[5].Config.Algorithm);
        Assert.Equal(Short, request.Variants[0].Config);

        var study = await _studies.CreateAsync(request);
        var details = (await _studies.GetAsync(study.Id))!;
        Assert.Equal(6 * 3 * 3, details.Runs.Count);
        Assert.Equal(["a", "b", "c"], details.Grid.HeldOut);
    }

    [DbFact]
    public async Task A_bad_grid_is_refused_whole_naming_each_field()
    {
        var e = await Assert.ThrowsAsync<RunRequestException>(() => _studies.CreateAsync(new StudyRequest("s", "cells",
            [new("SADA", Short), new("SADA", Short with { K = 0 }), new("copy", Short)], ["a", "x"], [0, 0])));
        Assert.Equal(RequestErrorKind.Invalid, e.Kind);
        Assert.Contains("used twice", e.Errors["variants[1].name"].Single());
        Assert.Contains("K must be between 1 and 16", e.Errors["variants[1].config.K"].Single());
        Assert.Contains("the same config as variant 'SADA'", e.Errors["variants[2].config"].Single());
        Assert.Contains("its centers are a, b, c", e.Errors["heldOut"].Single());
        Assert.Contains("distinct", e.Errors["seeds"].Single());
        using var db = _db.Open();
        Assert.Empty(db.Studies);
        Assert.Empty(db.Runs);
    }

    [DbFact]
    public async Task An_unknown_dataset_is_not_found()
    {
        var e = await Assert.ThrowsAsync<RunRequestException>(() => _studies.CreateAsync(StudyService.FullAblation("s", "nope")));
        Assert.Equal(RequestErrorKind.NotFound, e.Kind);
        Assert.Contains("'nope'", e.Errors["dataset"].Single());
    }
}

public sealed class StudyServiceTestsOnPostgres() : StudyServiceTests(TempDatabase.Postgres), IOnPostgres;
