using System.Globalization;
using Sada.Core.Algorithms;
using Sada.Core.Runtime;
using Sada.Core.Training;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Training;

public class TrainerTests : IClassFixture<TrainerTests.Images>
{
    public sealed class Images : IDisposable
    {
        public TinyImageFolder Folder { get; } = new();
        public void Dispose() => Folder.Dispose();
    }

    readonly TinyImageFolder _folder;
    public TrainerTests(Images images)
    {
        _folder = images.Folder;
        TorchRuntime.Initialize("cpu", 1);
    }

    static AlgorithmConfig Config(int steps, int evalEvery) => new()
    {
        Algorithm = "erm", Backbone = "resnet18", Init = BackboneInit.Scratch, ImageSize = 16, BatchPerCenter = 6, Steps = steps, Stage1Steps = 0, EvalEvery = evalEvery, Seed = 3,
    };

    sealed class Recorder : IProgress<TrainingEvent>
    {
        public List<TrainingEvent> Events { get; } = [];
        public Action<TrainingEvent>? OnEvent { get; init; }
        public void Report(TrainingEvent e) { Events.Add(e); OnEvent?.Invoke(e); }
        public Dictionary<int, double> StepLosses => Events.OfType<TrainingProgress>().ToDictionary(p => p.Step, p => p.Losses["total"]);
    }

    static string TempDir() => Path.Combine(Path.GetTempPath(), "sada-ckpt-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Trains_end_to_end_loss_falls_and_evaluations_follow_the_schedule()
    {
        var dir = TempDir();
        var recorder = new Recorder();
        var trainer = new Trainer(_folder.Dataset, "center2", Config(25, 10), n => new TinyAlgorithm(n), CPU,
            new TrainerOptions { CheckpointDirectory = dir, ProgressInterval = TimeSpan.Zero }, recorder);
        var result = trainer.Run();

        Assert.Equal([0, 10, 20, 24], result.Evaluations.Select(e => e.Step));
        var losses = recorder.StepLosses;
        Assert.Equal(25, losses.Count);
        Assert.True(losses.Where(kv => kv.Key >= 20).Average(kv => kv.Value) < 0.7 * losses.Where(kv => kv.Key < 5).Average(kv => kv.Value),
            $"loss did not fall: {string.Join(", ", losses.OrderBy(kv => kv.Key).Select(kv => kv.Value.ToString("F3", CultureInfo.InvariantCulture)))}");
        Assert.True(result.Last.Accuracy > 0.9, $"held-out accuracy {result.Last.Accuracy}");
        Assert.Equal(["center0", "center1"], result.TrainingCenters);
        Assert.Equal(24, result.Last.Count);
        Assert.Equal(result.Evaluations.MaxBy(e => e.ValidationAccuracy)!.Step, result.SelectedStep);
        Assert.All(result.Evaluations, e => Assert.Equal(["center0", "center1"], e.Validation.Keys.Order()));
        Assert.True(File.Exists(Path.Combine(dir, "last.ckpt")));
        Assert.True(File.Exists(Path.Combine(dir, "best.weights")));
        Assert.Contains(recorder.Events.OfType<TrainingLog>(), l => l.Message.StartsWith("Decoded 72 images", StringComparison.Ordinal));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Resuming_from_a_checkpoint_continues_exactly()
    {
        var config = Config(9, 4); // evaluations (and checkpoints) at steps 0, 4, 8
        var straight = new Recorder();
        var straightDir = TempDir();
        new Trainer(_folder.Dataset, "center0", config, n => new TinyAlgorithm(n), CPU,
            new TrainerOptions { CheckpointDirectory = straightDir, ProgressInterval = TimeSpan.Zero }, straight).Run();
        Directory.Delete(straightDir, true);

        // Stop right after the checkpoint of step 4, as a crash would, then start a new trainer on the same folder.
        var dir = TempDir();
        using var cancel = new CancellationTokenSource();
        var first = new Recorder { OnEvent = e => { if (e is EvaluationRecord { Step: 4 }) cancel.Cancel(); } };
        Assert.Throws<OperationCanceledException>(() => new Trainer(_folder.Dataset, "center0", config, n => new TinyAlgorithm(n), CPU,
            new TrainerOptions { CheckpointDirectory = dir, ProgressInterval = TimeSpan.Zero }, first).Run(cancel.Token));
        Assert.DoesNotContain(5, first.StepLosses.Keys);

        var resumed = new Recorder();
        var result = new Trainer(_folder.Dataset, "center0", config, n => new TinyAlgorithm(n), CPU,
            new TrainerOptions { CheckpointDirectory = dir, ProgressInterval = TimeSpan.Zero }, resumed).Run();

        Assert.Equal(5, resumed.Events.OfType<TrainingResumed>().Single().FromStep);
        Assert.Equal([5, 6, 7, 8], resumed.StepLosses.Keys.Order());
        foreach (var step in new[] { 5, 6, 7, 8 })
            Assert.Equal(straight.StepLosses[step], resumed.StepLosses[step], 6);
        // The evaluations made before the stop are kept, each step once.
        Assert.Equal([0, 4, 8], result.Evaluations.Select(e => e.Step));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void The_image_budget_and_the_lookahead_change_no_result()
    {
        var config = Config(6, 3);
        Recorder Train(int cacheMegabytes, int prefetch)
        {
            var recorder = new Recorder();
            new Trainer(_folder.Dataset, "center1", config, n => new TinyAlgorithm(n), CPU,
                new TrainerOptions { ProgressInterval = TimeSpan.Zero, CacheMegabytes = cacheMegabytes, PrefetchBatches = prefetch }, recorder).Run();
            return recorder;
        }
        var kept = Train(64, 2);
        var decodedEachTime = Train(0, 0);

        Assert.Equal(kept.StepLosses, decodedEachTime.StepLosses);
        Assert.Equal(kept.Events.OfType<EvaluationRecord>().Select(e => (e.HeldOut.Accuracy, e.ValidationAccuracy, e.ValidationLoss)),
            decodedEachTime.Events.OfType<EvaluationRecord>().Select(e => (e.HeldOut.Accuracy, e.ValidationAccuracy, e.ValidationLoss)));
        Assert.Contains(kept.Events.OfType<TrainingLog>(), l => l.Message.Contains("72 kept in memory"));
        Assert.Contains(decodedEachTime.Events.OfType<TrainingLog>(), l => l.Message.Contains("0 kept in memory"));
        Assert.All(kept.Events.OfType<TrainingProgress>(), p => Assert.True(p.BatchWaitMs >= 0));
    }

    [Fact]
    public void A_checkpoint_of_another_config_is_refused()
    {
        var dir = TempDir();
        new Trainer(_folder.Dataset, "center0", Config(3, 2), n => new TinyAlgorithm(n), CPU, new TrainerOptions { CheckpointDirectory = dir }).Run();
        var other = new Trainer(_folder.Dataset, "center0", Config(3, 2) with { LearningRate = 1e-3, K = 4 }, n => new TinyAlgorithm(n), CPU,
            new TrainerOptions { CheckpointDirectory = dir });
        var e = Assert.Throws<InvalidOperationException>(() => other.Run());
        Assert.Contains("LearningRate", e.Message);
        Assert.Contains("K", e.Message);
        var moved = new Trainer(_folder.Dataset, "center1", Config(3, 2), n => new TinyAlgorithm(n), CPU, new TrainerOptions { CheckpointDirectory = dir });
        Assert.Contains("holding out 'center0'", Assert.Throws<InvalidOperationException>(() => moved.Run()).Message);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void A_nan_loss_stops_the_run_naming_the_step_and_the_loss()
    {
        var trainer = new Trainer(_folder.Dataset, "center1", Config(10, 5),
            n => new TinyAlgorithm(n) { PoisonAt = s => s == 3 ? double.NaN : null }, CPU);
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Run());
        Assert.Equal(3, e.Step);
        Assert.Contains("step 3", e.Message);
        Assert.Contains("'total'", e.Message);
    }

    [Fact]
    public void Unreadable_images_are_reported_by_name_and_skipped()
    {
        var bad = Path.Combine(_folder.Root, "center1", "lymphocyte", "broken.png");
        File.WriteAllText(bad, "this is not a png");
        try
        {
            var data = _folder.Dataset with { Samples = _folder.Dataset.Samples.Append(new(1, 1, bad)).ToList() };
            var recorder = new Recorder();
            var result = new Trainer(data, "center1", Config(2, 1), n => new TinyAlgorithm(n), CPU, null, recorder).Run();
            Assert.Equal(bad, Assert.Single(result.Unreadable).Path);
            Assert.Contains(recorder.Events.OfType<TrainingLog>(), l => l.Level == "warning" && l.Message.Contains("broken.png"));
            Assert.Equal(24, result.Last.Count);
        }
        finally { File.Delete(bad); }
    }

    [Fact]
    public void Swad_evaluates_the_averaged_weights_and_saves_them()
    {
        var dir = TempDir();
        var recorder = new Recorder();
        var config = Config(30, 3) with { Swad = true, SwadNConverge = 2, SwadNTolerance = 3 };
        var result = new Trainer(_folder.Dataset, "center2", config, n => new TinyAlgorithm(n), CPU,
            new TrainerOptions { CheckpointDirectory = dir }, recorder).Run();
        Assert.NotNull(result.Swad);
        Assert.Equal(24, result.Swad!.Count);
        Assert.Contains("SWAD", result.SwadNote);
        Assert.Contains(recorder.Events.OfType<TrainingLog>(), l => l.Message == result.SwadNote);
        Assert.True(File.Exists(Path.Combine(dir, "swad.weights")));
        Assert.All(result.Evaluations, e => Assert.True(double.IsFinite(e.ValidationLoss)));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void A_loss_name_no_code_knows_reaches_the_progress_the_evaluations_and_the_results_file()
    {
        var recorder = new Recorder();
        var result = new Trainer(_folder.Dataset, "center1", Config(4, 2), n => new TinyAlgorithm(n) { ExtraLoss = "wobble_penalty" }, CPU,
            new TrainerOptions { ProgressInterval = TimeSpan.Zero }, recorder).Run();
        Assert.All(recorder.Events.OfType<TrainingProgress>(), p => Assert.Equal(2 * p.Losses["ce"], p.Losses["wobble_penalty"], 9));
        Assert.All(result.Evaluations, e => Assert.Equal(2 * e.Losses["ce"], e.Losses["wobble_penalty"], 9));
        var path = Path.Combine(Path.GetTempPath(), $"sada-report-{Guid.NewGuid():N}.json");
        TrainingReport.From(Config(4, 2), [result]).Save(path);
        var back = TrainingReport.Load(path);
        File.Delete(path);
        Assert.Equal(result.Evaluations.Select(e => e.Losses["wobble_penalty"]), back.Runs[0].Evaluations.Select(e => e.Losses["wobble_penalty"]));
    }

    [Fact]
    public void Losses_are_logged_every_n_steps_and_at_the_end_of_each_stage_averaged_since_the_last_logged_step()
    {
        var recorder = new Recorder();
        new Trainer(_folder.Dataset, "center1", Config(23, 100) with { LogEvery = 5 }, n => new TinyAlgorithm(n) { Stage1Until = 8 }, CPU,
            new TrainerOptions { ProgressInterval = TimeSpan.Zero }, recorder).Run();
        var logged = recorder.Events.OfType<TrainingStepLosses>().ToList();
        // Every 5 steps from 0, the last stage-1 step (7) and the last step (22).
        Assert.Equal([0, 5, 7, 10, 15, 20, 22], logged.Select(l => l.Step));
        Assert.Equal([1, 1, 1, 2, 2, 2, 2], logged.Select(l => l.Stage));
        var perStep = recorder.Events.OfType<TrainingProgress>().ToDictionary(p => p.Step, p => p.Losses);
        int previous = -1;
        foreach (var l in logged)
        {
            var window = Enumerable.Range(previous + 1, l.Step - previous).Select(s => perStep[s]).ToList();
            foreach (var name in window.SelectMany(w => w.Keys).Distinct())
            {
                // Each loss over the steps that reported it.
                var values = window.Where(w => w.ContainsKey(name)).Select(w => w[name]).ToList();
                Assert.Equal(values.Average(), l.Losses[name], 9);
            }
            Assert.Equal(window.SelectMany(w => w.Keys).Distinct().Order(), l.Losses.Keys.Order());
            previous = l.Step;
        }
        Assert.All(logged.Where(l => l.Stage == 1), l => Assert.Contains("stage1_term", l.Losses.Keys));
        Assert.All(logged.Where(l => l.Stage == 2), l => Assert.DoesNotContain("stage1_term", l.Losses.Keys));
    }

    [Fact]
    public void Log_every_must_be_positive()
    {
        var error = Assert.Single(new AlgorithmConfig { LogEvery = 0 }.Validate());
        Assert.Equal((nameof(AlgorithmConfig.LogEvery), "must be at least 1"), (error.Field, error.Message));
    }

    [Fact]
    public void Report_round_trips_with_every_evaluation_and_the_average()
    {
        var results = new[] { "center0", "center1" }
            .Select(h => new Trainer(_folder.Dataset, h, Config(4, 2), n => new TinyAlgorithm(n), CPU).Run()).ToList();
        var report = TrainingReport.From(Config(4, 2), results);
        Assert.Equal(results.Average(r => r.Selected.Accuracy), report.MeanF1Micro, 12);
        var path = Path.Combine(Path.GetTempPath(), $"sada-report-{Guid.NewGuid():N}.json");
        report.Save(path);
        var back = TrainingReport.Load(path);
        File.Delete(path);
        Assert.Equal(report.MeanF1Macro, back.MeanF1Macro, 12);
        Assert.Equal(["center0", "center1"], back.Runs.Select(r => r.HeldOut));
        Assert.Equal(results[0].Evaluations.Select(e => e.Step), back.Runs[0].Evaluations.Select(e => e.Step));
        Assert.Equal(results[1].Selected.Recall["neutrophil"], back.Runs[1].Selected.Recall["neutrophil"]);
        Assert.Equal(4, back.Config.Steps);
    }

    [Fact]
    public void An_invalid_config_names_the_field()
    {
        var trainer = new Trainer(_folder.Dataset, "center1", Config(10, 5) with { K = 0, LearningRate = 2 }, n => new TinyAlgorithm(n), CPU);
        var e = Assert.Throws<ArgumentException>(() => trainer.Run());
        Assert.Contains("K must be between 1 and 16", e.Message);
        Assert.Contains("LearningRate", e.Message);
    }
}
