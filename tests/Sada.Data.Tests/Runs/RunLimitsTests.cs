using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Sada.Core.Algorithms;
using Sada.Data.Runs;
using Sada.Data.Studies;

namespace Sada.Data.Tests.Runs;

/// <summary>What a queued run or study may ask: weights only from weight roots, memory it can have, a bounded study.</summary>
public sealed class RunLimitsTests : IDisposable
{
    readonly TempDatabase _db = new();
    readonly DbFactory _dbs;
    readonly string _roots = Path.Combine(Path.GetTempPath(), "sada-weight-roots-" + Guid.NewGuid().ToString("N"));
    readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));

    static readonly AlgorithmConfig Small = new() { Backbone = "resnet18", Init = BackboneInit.Scratch, ImageSize = 32, BatchPerCenter = 4, Steps = 20, Stage1Steps = 10, EvalEvery = 5 };

    public RunLimitsTests()
    {
        _dbs = new DbFactory(_db);
        _dbs.AddDataset("cells", "a", "b", "c", "d");
        Directory.CreateDirectory(Path.Combine(_roots, "allowed"));
        File.WriteAllText(Path.Combine(_roots, "allowed", "resnet18.pth"), "weights");
        File.WriteAllText(Path.Combine(_roots, "secret.pth"), "not a root");
    }

    public void Dispose()
    {
        _db.Dispose();
        Directory.Delete(_roots, recursive: true);
    }

    RunLimits Limits(long budgetMB = 1 << 20) => new() { WeightRoots = [Path.Combine(_roots, "allowed")], MemoryBudgetMB = budgetMB, MaxStudySeeds = 5, MaxStudyRuns = 40 };

    async Task<RunRequestException> Refused(RunLimits limits, AlgorithmConfig config) =>
        await Assert.ThrowsAsync<RunRequestException>(() => new RunRequests(_dbs, _clock, limits).CreateAsync(new RunRequest("cells", "a", config)));

    [Fact]
    public async Task A_weights_file_outside_the_roots_is_refused_alike_whether_or_not_it_exists()
    {
        var existing = await Refused(Limits(), Small with { Init = BackboneInit.ImageNet, Weights = Path.Combine(_roots, "secret.pth") });
        var missing = await Refused(Limits(), Small with { Init = BackboneInit.ImageNet, Weights = Path.Combine(_roots, "no-such.pth") });
        var climbing = await Refused(Limits(), Small with { Init = BackboneInit.ImageNet, Weights = Path.Combine(_roots, "allowed", "..", "secret.pth") });
        foreach (var refusal in new[] { existing, missing, climbing })
            Assert.Contains("is not inside a weight root", refusal.Errors["config.Weights"].Single());
        Assert.DoesNotContain("not found", existing.Errors["config.Weights"].Single());
        Assert.DoesNotContain("not found", missing.Errors["config.Weights"].Single());

        var run = await new RunRequests(_dbs, _clock, Limits()).CreateAsync(new RunRequest("cells", "a", Small with { Init = BackboneInit.ImageNet, Weights = Path.Combine(_roots, "allowed", "resnet18.pth") }));
        Assert.Equal("cells", (await _dbs.CreateDbContext().Datasets.SingleAsync()).Name);
        Assert.True(run.Id > 0);
        // Inside a root, a missing file may be named as missing.
        Assert.Contains("file not found", (await Refused(Limits(), Small with { Init = BackboneInit.ImageNet, Weights = Path.Combine(_roots, "allowed", "other.pth") })).Errors["config.Weights"].Single());
    }

    [Fact]
    public async Task No_configured_weight_root_means_no_weights_file()
    {
        var refusal = await Refused(new RunLimits { MemoryBudgetMB = 1 << 20 }, Small with { Init = BackboneInit.ImageNet, Weights = Path.Combine(_roots, "allowed", "resnet18.pth") });
        Assert.Contains("no weight root is configured", refusal.Errors["config.Weights"].Single());
    }

    [Fact]
    public async Task A_run_that_cannot_fit_the_memory_budget_is_refused_at_queue_time_naming_its_estimate()
    {
        // The paper's network at the method's default size: ResNet-50 at 224 px, 32 cells per center x 3 training centers x 3 views.
        var paper = new AlgorithmConfig { Backbone = "resnet50", Init = BackboneInit.Scratch };
        var refusal = await Refused(Limits(budgetMB: 16 << 10), paper);
        var message = refusal.Errors["config.BatchPerCenter"].Single();
        Assert.Contains("288 images per step = 32 per center x 3 training centers x 3 views", message);
        Assert.Contains("resnet50 at 224 px", message);
        Assert.Contains("16.0 GB here", message);

        await new RunRequests(_dbs, _clock, Limits(budgetMB: 16 << 10)).CreateAsync(new RunRequest("cells", "a", Small));
        var study = await Assert.ThrowsAsync<RunRequestException>(() => new StudyService(_dbs, _clock, Limits(budgetMB: 16 << 10))
            .CreateAsync(new StudyRequest("too big", "cells", [new("SADA", paper)], ["a"], [0])));
        Assert.Contains("variants[0].config.BatchPerCenter", study.Errors.Keys);
    }

    [Fact]
    public async Task A_study_is_capped_in_seeds_and_in_runs()
    {
        var studies = new StudyService(_dbs, _clock, Limits());
        var seeds = await Assert.ThrowsAsync<RunRequestException>(() => studies.CreateAsync(
            new StudyRequest("many seeds", "cells", [new("SADA", Small)], ["a"], Enumerable.Range(0, 20_000).ToList())));
        Assert.Contains("20,000 seeds; a study may have at most 5", seeds.Errors["seeds"].First());

        var grid = await Assert.ThrowsAsync<RunRequestException>(() => studies.CreateAsync(new StudyRequest("big grid", "cells",
            Enumerable.Range(0, 4).Select(i => new StudyVariant($"v{i}", Small with { K = i + 1 })).ToList(), null, [0, 1, 2, 3])));
        Assert.Contains("4 variants x 4 held-out centers x 4 seeds = 64 runs; a study may queue at most 40", grid.Errors["variants"].Single());
        using (var db = _db.Open()) Assert.Empty(db.Runs);

        var study = await studies.CreateAsync(new StudyRequest("fits", "cells", [new("SADA", Small)], null, [0, 1, 2, 3, 4]));
        using (var db = _db.Open()) Assert.Equal(20, db.Runs.Count(r => r.StudyId == study.Id));
    }
}
