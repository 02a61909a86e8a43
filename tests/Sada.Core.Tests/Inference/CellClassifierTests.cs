using Sada.Core.Algorithms;
using Sada.Core.Imaging;
using Sada.Core.Inference;
using Sada.Core.Runtime;
using Sada.Core.Tests.Training;
using Sada.Core.Training;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Inference;

/// <summary>
/// The classifier on the weights a tiny real run stored (ERM, ResNet-18 at 16 px, a few steps on <see cref="TinyImageFolder"/>,
/// few enough that it still makes mistakes): probabilities, agreement with the trainer's evaluation, the held-out predictions.
/// </summary>
public class CellClassifierTests : IClassFixture<CellClassifierTests.TrainedRun>
{
    public sealed class TrainedRun : IDisposable
    {
        public TinyImageFolder Folder { get; } = new();
        public string Directory { get; } = Path.Combine(Path.GetTempPath(), "sada-classifier-" + Guid.NewGuid().ToString("N"));
        public AlgorithmConfig Config { get; } = new()
        {
            Algorithm = "erm", Backbone = "resnet18", Init = BackboneInit.Scratch, ImageSize = 16, BatchPerCenter = 6, Steps = 4, Stage1Steps = 0, EvalEvery = 2, Seed = 3,
        };
        public TrainingResult Result { get; }
        public string BestWeights => Path.Combine(Directory, "best.weights");

        public TrainedRun()
        {
            TorchRuntime.Initialize("cpu", 1);
            Result = new Trainer(Folder.Dataset, "center2", Config, n => AlgorithmRegistry.Create(Config, n, CPU), CPU,
                new TrainerOptions { CheckpointDirectory = Directory }).Run();
        }

        public IReadOnlyList<Sada.Core.Data.CellSample> HeldOut => Folder.Dataset.Samples.Where(s => s.Center == 2).ToList();

        public void Dispose()
        {
            Folder.Dispose();
            try { System.IO.Directory.Delete(Directory, true); } catch (IOException) { }
        }
    }

    readonly TrainedRun _run;
    public CellClassifierTests(TrainedRun run) => _run = run;

    CellClassifier Load(int batchSize = 64) => CellClassifier.Load(_run.Config, _run.Folder.Dataset.Classes, _run.BestWeights, CPU, batchSize);

    [Fact]
    public void Probabilities_sum_to_one_and_match_the_evaluations_predictions_cell_by_cell()
    {
        using var classifier = Load(batchSize: 5); // batches that do not divide the 24 cells
        var images = _run.HeldOut.Select(s => CellImageDecoder.Decode(s.Path)).ToList();
        var probabilities = classifier.Classify(images);

        // The evaluation's own path: a fresh algorithm with the same weights, EvalBatch, Predict, argmax.
        using var algorithm = AlgorithmRegistry.Create(_run.Config, 2, CPU);
        algorithm.Network.load(_run.BestWeights);
        algorithm.Network.eval();
        using var scope = NewDisposeScope();
        var logits = algorithm.Predict(CellTransforms.EvalBatch(images, _run.Config.ImageSize));
        var expected = nn.functional.softmax(logits, 1).data<float>().ToArray();
        var argmax = logits.argmax(1).data<long>().ToArray();

        Assert.Equal(24, probabilities.Count);
        for (int i = 0; i < probabilities.Count; i++)
        {
            Assert.Equal(1.0, probabilities[i].Values.Sum(), 5);
            Assert.Equal(argmax[i], probabilities[i].Predicted);
            for (int c = 0; c < 2; c++) Assert.Equal(expected[2 * i + c], probabilities[i].Values[c], 5);
        }
    }

    [Fact]
    public void Held_out_predictions_reproduce_the_selected_evaluation_and_the_gallery_is_its_mistakes_most_confident_first()
    {
        using var classifier = Load(batchSize: 7);
        var progress = new List<(int Done, int Total)>();
        var predictions = HeldOutPredictions.Of(classifier, _run.HeldOut, new SyncProgress(progress.Add));

        // best.weights holds the selected step's network: the same confusion as the trainer's evaluation of it.
        var selected = _run.Result.Selected;
        Assert.Equal(selected.Confusion, predictions.Metrics.Confusion);
        Assert.Equal(selected.Accuracy, predictions.Metrics.Accuracy);
        int offDiagonal = selected.Confusion.SelectMany((row, t) => row.Where((_, p) => p != t)).Sum();
        var gallery = predictions.Misclassified;
        Assert.True(offDiagonal > 0, "the tiny run should still make mistakes, or this test checks nothing");
        Assert.Equal(offDiagonal, gallery.Count);
        Assert.All(gallery, g => Assert.NotEqual(g.TrueClass, g.Probabilities.Predicted));
        Assert.Equal(gallery.Select(g => g.Probabilities.Confidence).OrderDescending(), gallery.Select(g => g.Probabilities.Confidence));
        Assert.Equal(gallery.Count, gallery.Select(g => g.Index).Distinct().Count());
        Assert.All(gallery, g => Assert.Equal(_run.HeldOut[g.Index].Label, g.TrueClass));
        Assert.Equal([(7, 24), (14, 24), (21, 24), (24, 24)], progress);
        Assert.Empty(predictions.Unreadable);
    }

    [Fact]
    public void An_unreadable_cell_is_listed_and_left_out()
    {
        var broken = Path.Combine(_run.Directory, "broken.png");
        File.WriteAllBytes(broken, [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        using var classifier = Load();
        var cells = _run.HeldOut.Take(3).Append(new Sada.Core.Data.CellSample(2, 0, broken)).ToList();
        var predictions = HeldOutPredictions.Of(classifier, cells);
        Assert.Equal([0, 1, 2], predictions.Cells.Select(c => c.Index));
        Assert.Equal(broken, Assert.Single(predictions.Unreadable).Path);
    }

    [Fact]
    public void Weights_of_another_shape_are_refused_naming_the_file()
    {
        var e = Assert.Throws<InvalidDataException>(() => CellClassifier.Load(_run.Config, ["a", "b", "c"], _run.BestWeights, CPU));
        Assert.Contains(_run.BestWeights, e.Message);
        Assert.Throws<FileNotFoundException>(() => CellClassifier.Load(_run.Config, ["a", "b"], _run.BestWeights + ".missing", CPU));
    }

    [Fact]
    public async Task Loading_classifiers_while_a_run_trains_leaves_the_runs_numbers_unchanged()
    {
        // TinyAlgorithm draws noise from torch's global generator at every step; a network built on another thread draws its
        // initial weights from the same generator. Without the gate between them, the run's losses would change.
        var config = _run.Config with { Steps = 30, EvalEvery = 100 };
        List<double> Train()
        {
            var losses = new LossRecorder();
            new Trainer(_run.Folder.Dataset, "center0", config, n => new TinyAlgorithm(n), CPU,
                new TrainerOptions { ProgressInterval = TimeSpan.Zero }, losses).Run();
            return losses.Steps;
        }
        var alone = Train();

        using var stop = new CancellationTokenSource();
        int loaded = 0;
        var loader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var classifier = Load();
                Interlocked.Increment(ref loaded);
            }
        });
        // The loader is loading before the run starts (a pool thread can start late on a busy machine), so its loads
        // interleave with the run's steps rather than possibly all coming after them.
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref loaded) > 0, TimeSpan.FromSeconds(60)), "the loader never loaded a classifier");
        var together = Train();
        stop.Cancel();
        await loader;

        Assert.Equal(30, alone.Count);
        Assert.Equal(alone, together);
    }

    /// <summary>The total loss of every step.</summary>
    sealed class LossRecorder : IProgress<TrainingEvent>
    {
        public List<double> Steps { get; } = [];
        public void Report(TrainingEvent value)
        {
            if (value is TrainingProgress p) Steps.Add(p.Losses["total"]);
        }
    }

    sealed class SyncProgress(Action<(int, int)> report) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) => report(value);
    }
}
