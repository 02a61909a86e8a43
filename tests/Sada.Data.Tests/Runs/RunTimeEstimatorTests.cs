using Sada.Core.Algorithms;
using Sada.Data.Entities;
using Sada.Data.Runs;

namespace Sada.Data.Tests.Runs;

/// <summary>The run-time estimate against numbers worked out by hand.</summary>
public class RunTimeEstimatorTests : IDisposable
{
    readonly TempDatabase _db;
    readonly DbFactory _dbs;

    public RunTimeEstimatorTests() : this(TempDatabase.Sqlite) { }

    protected RunTimeEstimatorTests(string provider)
    {
        _db = new TempDatabase(provider);
        _dbs = new DbFactory(_db);
    }

    public void Dispose() => _db.Dispose();

    // 10 steps, the first 4 of stage 1 with k = 3 views per cell, then one view: 4 x 3 + 6 = 18 views per cell.
    static readonly AlgorithmConfig Sada = new() { Backbone = "resnet18", Init = BackboneInit.Scratch, ImageSize = 64, BatchPerCenter = 8, K = 3, Steps = 10, Stage1Steps = 4 };

    [DbFact]
    public void Views_per_cell_count_k_views_in_sadas_feature_learning_steps_only()
    {
        Assert.Equal(18, RunTimeEstimator.ViewsPerCell(Sada, 10));
        Assert.Equal(9, RunTimeEstimator.ViewsPerCell(Sada, 3));
        Assert.Equal(30, RunTimeEstimator.ViewsPerCell(Sada with { TwoStage = false }, 10));
        Assert.Equal(10, RunTimeEstimator.ViewsPerCell(Sada with { Algorithm = "erm" }, 10));
        // 8 cells from each of 2 training centers per step: 8 x 2 x 18.
        Assert.Equal(288, RunTimeEstimator.Views(Sada, trainingCenters: 2));
    }

    [DbFact]
    public void A_measured_cell_rate_becomes_views_per_second_with_the_runs_own_config()
    {
        // 20 cells/s averaged over steps 0..9, where a cell was 18 / 10 = 1.8 views on average: 36 views/s.
        Assert.Equal(36, RunTimeEstimator.ViewsPerSecond(Sada, step: 9, imagesPerSecond: 20), 9);
        // Still in stage 1 at step 3: every cell was 3 views.
        Assert.Equal(60, RunTimeEstimator.ViewsPerSecond(Sada, step: 3, imagesPerSecond: 20), 9);
    }

    [DbFact]
    public void The_estimate_is_the_views_over_the_median_speed_at_the_same_backbone_and_size()
    {
        SpeedSample[] samples = [new(1, "resnet18", 64, 30), new(2, "resnet18", 64, 60), new(3, "resnet18", 64, 36), new(4, "resnet50", 64, 1)];
        // Two runs (two held-out centers of a 3-center set): 2 x 288 views at the median 36 views/s = 16 s.
        var estimate = RunTimeEstimator.Estimate([new(Sada, 2), new(Sada, 2)], samples, "cpu");
        Assert.Equal(16, estimate.Seconds!.Value, 9);
        Assert.Equal(576, estimate.Views);
        Assert.Equal("median of 3 runs with resnet18 at 64 px on cpu: 36 views/s", estimate.Basis);
    }

    [DbFact]
    public void Without_a_run_at_the_size_the_nearest_size_is_scaled_by_pixel_count()
    {
        SpeedSample[] samples = [new(1, "resnet18", 64, 36), new(2, "resnet18", 32, 500), new(3, "resnet18", 224, 1)];
        // 64 px is the nearest to 128 (64 away; 32 and 224 are 96 away): 36 x 64^2 / 128^2 = 9 views/s, so 288 views take 32 s.
        var estimate = RunTimeEstimator.Estimate([new(Sada with { ImageSize = 128 }, 2)], samples, "cpu");
        Assert.Equal(32, estimate.Seconds!.Value, 9);
        Assert.StartsWith("no run at 128 px: median of 1 run with resnet18 at 64 px on cpu (36 views/s), scaled by pixel count to 9 views/s", estimate.Basis);
    }

    [DbFact]
    public void No_measurement_gives_no_number_and_says_so()
    {
        var estimate = RunTimeEstimator.Estimate([new(Sada, 2)], [new(1, "resnet50", 64, 36)], "cpu");
        Assert.Null(estimate.Seconds);
        Assert.Equal(288, estimate.Views);
        Assert.Equal("no run with resnet18 on cpu has measured its speed yet", estimate.Basis);
    }

    [DbFact]
    public async Task Samples_are_each_runs_latest_speed_on_the_device()
    {
        int dataset = _dbs.AddDataset("cells", "a", "b", "c");
        AddRun(dataset, "cpu", Sada, (3, 50), (9, 20));
        AddRun(dataset, "cuda:0", Sada, (9, 1000));
        AddRun(dataset, "cpu", Sada with { Algorithm = "erm", ImageSize = 32 }, (9, null));
        AddRun(dataset, "cpu", Sada with { Algorithm = "erm", ImageSize = 32 }, (4, 80));

        var samples = await new RunTimeEstimator(_dbs).SamplesAsync("cpu");

        // Newest first; the run without a speed is left out; the SADA run's step 9 row: 20 cells/s = 36 views/s.
        Assert.Equal([("resnet18", 32, 80.0), ("resnet18", 64, 36.0)],
            samples.Select(s => (s.Backbone, s.ImageSize, Math.Round(s.ViewsPerSecond, 9))));
        var estimate = await new RunTimeEstimator(_dbs).EstimateAsync("cpu", [new(Sada, 2)]);
        Assert.Equal(8, estimate.Seconds!.Value, 9);
    }

    void AddRun(int datasetId, string device, AlgorithmConfig config, params (int Step, double? ImagesPerSecond)[] metrics)
    {
        using var db = _db.Open();
        db.Runs.Add(new Run
        {
            DatasetId = datasetId, HoldoutCenter = "a", Algorithm = config.Algorithm, ConfigJson = config.ToJson(), Status = RunStatus.Completed,
            Device = device, TotalSteps = config.Steps, CreatedAt = DateTime.UtcNow,
            Metrics = metrics.Select(m => new RunMetric { Step = m.Step, Stage = 1, ImagesPerSecond = m.ImagesPerSecond, CreatedAt = DateTime.UtcNow }).ToList(),
        });
        db.SaveChanges();
    }
}

public sealed class RunTimeEstimatorTestsOnPostgres() : RunTimeEstimatorTests(TempDatabase.Postgres), IOnPostgres;
