using Sada.Core.Algorithms;
using Sada.Core.Runtime;
using Sada.Core.Training;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Training;

/// <summary>
/// SelfReg and BoDA through the real trainer on tiny generated cells (ResNet-18 at 16 px): they train, report their own
/// named losses, and a run stopped after a checkpoint and resumed continues exactly (BoDA's centroids included).
/// </summary>
public class BaselineRunTests : IClassFixture<TrainerTests.Images>
{
    readonly TinyImageFolder _folder;

    public BaselineRunTests(TrainerTests.Images images)
    {
        _folder = images.Folder;
        TorchRuntime.Initialize("cpu", 1);
    }

    // Nine steps, evaluations (and checkpoints) at 0, 4 and 8. BoDA: centroids refreshed before steps 2, 4, 6 and 8
    // (the first without momentum), the distance loss from step 3.
    static AlgorithmConfig Config(string algorithm) => new()
    {
        Algorithm = algorithm, Backbone = "resnet18", Init = BackboneInit.Scratch, ImageSize = 16, BatchPerCenter = 6, Steps = 9, Stage1Steps = 0, EvalEvery = 4,
        Seed = 5, LearningRate = 1e-3, BodaStartFraction = 3.0 / 9, BodaUpdateFraction = 2.0 / 9,
    };

    sealed class Recorder(Action<TrainingEvent>? onEvent = null) : IProgress<TrainingEvent>
    {
        public List<TrainingEvent> Events { get; } = [];
        public void Report(TrainingEvent e) { lock (Events) Events.Add(e); onEvent?.Invoke(e); }
        public Dictionary<int, IReadOnlyDictionary<string, double>> Steps => Events.OfType<TrainingProgress>().ToDictionary(p => p.Step, p => p.Losses);
    }

    static string TempDir() => Path.Combine(Path.GetTempPath(), "sada-baseline-" + Guid.NewGuid().ToString("N"));

    Trainer Trainer(AlgorithmConfig config, string dir, IProgress<TrainingEvent> progress) =>
        new(_folder.Dataset, "center0", config, n => AlgorithmRegistry.Create(config, n, CPU), CPU,
            new TrainerOptions { CheckpointDirectory = dir, ProgressInterval = TimeSpan.Zero, EvalBatchSize = 8 }, progress);

    [Theory]
    [InlineData("selfreg", new[] { "ce", "feature_reg", "logit_reg", "total" }, new[] { "ce", "feature_reg", "logit_reg", "total" })]
    [InlineData("boda", new[] { "ce", "macro", "total" }, new[] { "boda", "ce", "macro", "total" })]
    public void A_tiny_run_trains_reports_its_named_losses_and_resumes_exactly(string algorithm, string[] early, string[] late)
    {
        var config = Config(algorithm);
        var straightDir = TempDir();
        var straight = new Recorder();
        var result = Trainer(config, straightDir, straight).Run();

        Assert.Equal([0, 4, 8], result.Evaluations.Select(e => e.Step));
        Assert.Equal(early, straight.Steps[0].Keys.Order());
        Assert.Equal(late, straight.Steps[8].Keys.Order());
        Assert.All(straight.Steps.Values.SelectMany(l => l.Values), v => Assert.True(double.IsFinite(v)));
        Assert.Equal(late, result.Evaluations[^1].Losses.Keys.Order());

        var dir = TempDir();
        using var cancel = new CancellationTokenSource();
        var first = new Recorder(e => { if (e is EvaluationRecord { Step: 4 }) cancel.Cancel(); });
        Assert.Throws<OperationCanceledException>(() => Trainer(config, dir, first).Run(cancel.Token));
        var resumed = new Recorder();
        Trainer(config, dir, resumed).Run();

        Assert.Equal(5, resumed.Events.OfType<TrainingResumed>().Single().FromStep);
        foreach (var step in new[] { 5, 6, 7, 8 })
            foreach (var (name, value) in straight.Steps[step])
                Assert.Equal(value, resumed.Steps[step][name], 5);
        Directory.Delete(straightDir, true);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Boda_refreshes_its_centroids_over_every_training_image_and_says_so_in_the_log()
    {
        var recorder = new Recorder();
        var dir = TempDir();
        Trainer(Config("boda") with { Steps = 3, EvalEvery = 10, BodaUpdateFraction = 1.0 / 3 }, dir, recorder).Run();
        Directory.Delete(dir, true);
        // Refreshes before steps 1 and 2, each over the training part of both training centers.
        var logs = recorder.Events.OfType<TrainingLog>().Select(l => l.Message).ToList();
        Assert.Equal(2, logs.Count(m => m.StartsWith("BoDA: centroids of ", StringComparison.Ordinal)));
        var trainImages = LeaveOneCenterOut.Split(_folder.Dataset, "center0", 0.2, 5).Training.Sum(t => t.Train.Count);
        Assert.InRange(trainImages, 30, 47);
        Assert.Contains(logs, m => m.StartsWith($"BoDA: computing the features of {trainImages} training images", StringComparison.Ordinal));
        Assert.Contains(recorder.Events.OfType<TrainingLog>(), l => l.Level == "progress" && l.Message.StartsWith("BoDA centroids: center 2/2", StringComparison.Ordinal));
    }
}
