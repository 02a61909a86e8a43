using System.Globalization;
using Sada.Core.Algorithms;
using Sada.Core.Data;
using Sada.Core.Runtime;
using Sada.Core.Synthetic;
using Sada.Core.Training;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Training;

/// <summary>The real SADA algorithm (stain augmentation, LA, DISC, two stages) through the trainer, on a tiny generated two-center set.</summary>
public class SadaTrainingTests : IClassFixture<SadaTrainingTests.TwoCenters>
{
    public sealed class TwoCenters : IDisposable
    {
        public string Root { get; } = Path.Combine(Path.GetTempPath(), "sada-two-centers-" + Guid.NewGuid().ToString("N"));
        public MultiCenterDataset Dataset { get; }

        public TwoCenters()
        {
            new SyntheticBloodCells(new SyntheticSetOptions(Centers: 2, PerCenter: 40, Size: 32, Seed: 1)).WriteImageFolder(Root);
            Dataset = ImageFolder.ToDataset(Root);
        }

        public void Dispose() { try { Directory.Delete(Root, true); } catch (IOException) { } }
    }

    readonly TwoCenters _data;
    public SadaTrainingTests(TwoCenters data)
    {
        _data = data;
        TorchRuntime.Initialize("cpu", 1);
    }

    static readonly AlgorithmConfig Config = new()
    {
        Algorithm = "sada", Backbone = "resnet18", Init = BackboneInit.Scratch, ImageSize = 32, BatchPerCenter = 8, K = 3,
        Steps = 40, Stage1Steps = 24, EvalEvery = 8, LearningRate = 1e-4, LaHiddenDim = 64, Seed = 5,
    };

    sealed class Recorder(Action<TrainingEvent>? onEvent = null) : IProgress<TrainingEvent>
    {
        public List<TrainingEvent> Events { get; } = [];
        public void Report(TrainingEvent e) { Events.Add(e); onEvent?.Invoke(e); }
        public Dictionary<int, IReadOnlyDictionary<string, double>> Steps => Events.OfType<TrainingProgress>().ToDictionary(p => p.Step, p => p.Losses);
    }

    Trainer NewTrainer(string? dir, IProgress<TrainingEvent> progress) =>
        new(_data.Dataset, _data.Dataset.Centers[1], Config, n => AlgorithmRegistry.Create(Config, n, CPU), CPU,
            new TrainerOptions { CheckpointDirectory = dir, ProgressInterval = TimeSpan.Zero }, progress);

    [Fact]
    public void Trains_both_stages_end_to_end_and_the_losses_fall()
    {
        var recorder = new Recorder();
        var result = NewTrainer(null, recorder).Run();
        var steps = recorder.Steps;

        double Mean(int from, int to, string loss) => Enumerable.Range(from, to - from).Average(s => steps[s][loss]);
        string Trace(string loss, int from, int to) => string.Join(" ", Enumerable.Range(from, to - from).Select(s => steps[s][loss].ToString("G3", CultureInfo.InvariantCulture)));

        // Stage 1: stain-augmented views, LA + DISC, no classifier loss; both terms fall.
        Assert.All(Enumerable.Range(0, 24), s => Assert.Equal(["contrastive", "contrastive_uniform_gap", "la", "projection_cosine", "total"], steps[s].Keys.Order()));
        Assert.True(Mean(18, 24, "la") < Mean(0, 6, "la"), "LA: " + Trace("la", 0, 24));
        Assert.True(Mean(18, 24, "contrastive") < Mean(0, 6, "contrastive"), "DISC: " + Trace("contrastive", 0, 24));
        // Stage 2: cross-entropy only, and it falls.
        Assert.All(Enumerable.Range(24, 16), s => Assert.Equal(["ce", "total"], steps[s].Keys.Order()));
        Assert.True(Mean(34, 40, "ce") < Mean(24, 30, "ce"), "CE: " + Trace("ce", 24, 40));
        Assert.Equal([0, 8, 16, 24, 32, 39], result.Evaluations.Select(e => e.Step));
        // An evaluation reports each loss as its mean over the steps since the previous one that computed it.
        var e24 = result.Evaluations.Single(e => e.Step == 24);
        Assert.Equal(Enumerable.Range(17, 7).Average(s => steps[s]["contrastive"]), e24.Losses["contrastive"], 9);
        Assert.Equal(steps[24]["ce"], e24.Losses["ce"], 9);
        Assert.Equal([1, 1, 1, 2, 2, 2], result.Evaluations.Select(e => e.Stage));
        Assert.Equal(_data.Dataset.Samples.Count(s => s.Center == 1), result.Last.Count);
    }

    [Fact]
    public void Resuming_gives_the_same_next_step_losses_as_not_stopping()
    {
        var straight = new Recorder();
        var straightDir = Path.Combine(Path.GetTempPath(), "sada-resume-a-" + Guid.NewGuid().ToString("N"));
        NewTrainer(straightDir, straight).Run();

        var dir = Path.Combine(Path.GetTempPath(), "sada-resume-b-" + Guid.NewGuid().ToString("N"));
        using var cancel = new CancellationTokenSource();
        var first = new Recorder(e => { if (e is EvaluationRecord { Step: 8 }) cancel.Cancel(); });
        Assert.Throws<OperationCanceledException>(() => NewTrainer(dir, first).Run(cancel.Token));

        var resumed = new Recorder();
        NewTrainer(dir, resumed).Run();
        // Step 9 is the first after the checkpoint, in stage 1 (stain transfer, k-means, jitter all drawn again).
        foreach (var step in new[] { 9, 10, 25 })
            foreach (var (name, value) in straight.Steps[step])
                Assert.Equal(value, resumed.Steps[step][name], 5);
        Directory.Delete(dir, true);
        Directory.Delete(straightDir, true);
    }
}
