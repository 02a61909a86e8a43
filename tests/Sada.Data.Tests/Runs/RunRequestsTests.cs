using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Sada.Core.Algorithms;
using Sada.Data.Entities;
using Sada.Data.Runs;

namespace Sada.Data.Tests.Runs;

public class RunRequestsTests : IDisposable
{
    readonly TempDatabase _db;
    readonly DbFactory _dbs;
    readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    readonly RunRequests _requests;

    public RunRequestsTests() : this(TempDatabase.Sqlite) { }

    protected RunRequestsTests(string provider)
    {
        _db = new TempDatabase(provider);
        _dbs = new DbFactory(_db);
        _dbs.AddDataset("cells", "acevedo", "raabin", "zheng");
        _requests = new RunRequests(_dbs, _clock);
    }

    public void Dispose() => _db.Dispose();

    [DbFact]
    public async Task Creates_a_queued_run_with_the_full_config()
    {
        var config = new AlgorithmConfig { K = 5, Steps = 100, Stage1Steps = 50 };
        var run = await _requests.CreateAsync(new RunRequest("cells", "raabin", config, Seed: 7));

        using var db = _db.Open();
        var stored = db.Runs.AsNoTracking().Single(r => r.Id == run.Id);
        Assert.Equal(RunStatus.Queued, stored.Status);
        Assert.Equal("raabin", stored.HoldoutCenter);
        Assert.Equal("sada", stored.Algorithm);
        Assert.Equal(7, stored.Seed);
        Assert.Equal(100, stored.TotalSteps);
        Assert.Equal(_clock.GetUtcNow().UtcDateTime, stored.CreatedAt);
        Assert.Null(stored.StudyId);
        Assert.Equal(config with { Seed = 7 }, AlgorithmConfig.FromJson(stored.ConfigJson));
        // Every field is stored, defaults included.
        using var json = JsonDocument.Parse(stored.ConfigJson);
        Assert.Equal(PartialConfig.FieldNames.Count, json.RootElement.EnumerateObject().Count());
    }

    [DbFact]
    public async Task Finds_the_dataset_by_id_too()
    {
        using var db = _db.Open();
        int id = db.Datasets.Single().Id;
        var run = await _requests.CreateAsync(new RunRequest(id.ToString(CultureInfo.InvariantCulture), "zheng", new AlgorithmConfig { Algorithm = "erm" }));
        Assert.Equal(id, run.DatasetId);
        Assert.Equal("erm", run.Algorithm);
    }

    [DbFact]
    public async Task An_unknown_dataset_is_not_found_and_named()
    {
        var e = await Assert.ThrowsAsync<RunRequestException>(() => _requests.CreateAsync(new RunRequest("nope", "raabin", new AlgorithmConfig())));
        Assert.Equal(RequestErrorKind.NotFound, e.Kind);
        Assert.Contains("'nope'", e.Errors["dataset"].Single());
        Assert.Contains("cells", e.Errors["dataset"].Single());
    }

    [DbFact]
    public async Task A_held_out_center_outside_the_dataset_names_its_centers_and_every_bad_config_field()
    {
        var e = await Assert.ThrowsAsync<RunRequestException>(() =>
            _requests.CreateAsync(new RunRequest("cells", "lisc", new AlgorithmConfig { K = 0, LaWeight = -1 })));
        Assert.Equal(RequestErrorKind.Invalid, e.Kind);
        Assert.Equal("'lisc' is not a center of dataset 'cells'; its centers are acevedo, raabin, zheng", e.Errors["heldOut"].Single());
        Assert.Contains("K must be between 1 and 16", e.Errors["config.K"].Single());
        Assert.Contains("LaWeight", e.Errors["config.LaWeight"].Single());
        using var db = _db.Open();
        Assert.Empty(db.Runs);
    }

    [DbFact]
    public async Task Several_runs_are_queued_together_with_their_own_center_and_seed()
    {
        var config = new AlgorithmConfig { Steps = 10, Stage1Steps = 5 };
        var runs = await _requests.CreateManyAsync(
            [new RunRequest("cells", "acevedo", config, Seed: 0), new RunRequest("cells", "zheng", config, Seed: 1)]);

        using var db = _db.Open();
        Assert.Equal([("acevedo", 0), ("zheng", 1)], db.Runs.OrderBy(r => r.Id).Select(r => new { r.HoldoutCenter, r.Seed }).AsEnumerable()
            .Select(r => (r.HoldoutCenter, r.Seed)));
        Assert.Equal(runs.Select(r => r.Id), db.Runs.OrderBy(r => r.Id).Select(r => r.Id));
    }

    [DbFact]
    public async Task One_bad_request_among_several_queues_none_and_a_shared_problem_is_named_once()
    {
        var bad = new AlgorithmConfig { K = 0 };
        var e = await Assert.ThrowsAsync<RunRequestException>(() => _requests.CreateManyAsync(
            [new RunRequest("cells", "acevedo", bad), new RunRequest("cells", "lisc", bad)]));

        Assert.Equal("K must be between 1 and 16", e.Errors["config.K"].Single());
        Assert.Contains("'lisc'", e.Errors["heldOut"].Single());
        using var db = _db.Open();
        Assert.Empty(db.Runs);
    }

    [DbFact]
    public void A_partial_config_is_merged_over_the_defaults()
    {
        var errors = new RequestErrors();
        using var json = JsonDocument.Parse("""{"k": 4, "la_weight": 0.5, "Contrast": "supCon", "stainAugmentation": false}""");
        var config = PartialConfig.Merge(json.RootElement, errors);
        Assert.False(errors.Any);
        Assert.Equal(new AlgorithmConfig { K = 4, LaWeight = 0.5, Contrast = ContrastMode.SupCon, StainAugmentation = false }, config);
    }

    [DbFact]
    public void A_partial_config_names_unknown_fields_and_values_of_the_wrong_type()
    {
        var errors = new RequestErrors();
        using var json = JsonDocument.Parse("""{"kk": 4, "K": "three", "contrast": "cosine", "twoStage": 1}""");
        Assert.Null(PartialConfig.Merge(json.RootElement, errors));
        var e = Assert.Throws<RunRequestException>(errors.ThrowIfAny);
        Assert.Equal(["config.Contrast", "config.K", "config.TwoStage", "config.kk"], e.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("unknown config field 'kk'", e.Errors["config.kk"].Single());
        Assert.Equal("expects an integer, not \"three\"", e.Errors["config.K"].Single());
        Assert.Contains("one of proxy, supCon, none", e.Errors["config.Contrast"].Single());
    }
}

public sealed class RunRequestsTestsOnPostgres() : RunRequestsTests(TempDatabase.Postgres), IOnPostgres;
