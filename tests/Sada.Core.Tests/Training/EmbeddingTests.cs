using Sada.Core.Algorithms;
using Sada.Core.Embedding;
using Sada.Core.Runtime;
using Sada.Core.Training;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Training;

/// <summary>t-SNE during training (end of stage 1, end of run) and on demand for a stored checkpoint.</summary>
public class EmbeddingTests : IClassFixture<SadaTrainingTests.TwoCenters>
{
    readonly SadaTrainingTests.TwoCenters _data;
    public EmbeddingTests(SadaTrainingTests.TwoCenters data)
    {
        _data = data;
        TorchRuntime.Initialize("cpu", 1);
    }

    static readonly EmbeddingOptions Tiny = new() { Budget = 30, Tsne = new TsneOptions { Iterations = 300, ExaggerationIterations = 100 } };

    sealed class Recorder : IProgress<TrainingEvent>
    {
        public List<TrainingEvent> Events { get; } = [];
        public void Report(TrainingEvent e) => Events.Add(e);
    }

    [Fact]
    public void A_two_stage_run_embeds_at_the_end_of_stage_1_and_at_the_end_over_every_center()
    {
        var config = new AlgorithmConfig
        {
            Algorithm = "sada", Backbone = "resnet18", Init = BackboneInit.Scratch, ImageSize = 32, BatchPerCenter = 4, K = 2,
            Steps = 6, Stage1Steps = 3, EvalEvery = 3, LearningRate = 1e-4, LaHiddenDim = 32, Seed = 2,
        };
        var dir = Path.Combine(Path.GetTempPath(), "sada-embed-" + Guid.NewGuid().ToString("N"));
        var recorder = new Recorder();
        var result = new Trainer(_data.Dataset, _data.Dataset.Centers[1], config, n => AlgorithmRegistry.Create(config, n, CPU), CPU,
            new TrainerOptions { CheckpointDirectory = dir, Embedding = Tiny }, recorder).Run();

        var embeddings = recorder.Events.OfType<EmbeddingRecord>().ToList();
        Assert.Equal([(2, "stage1"), (5, "final")], embeddings.Select(e => (e.Step, e.Label)));
        Assert.Equal(embeddings, result.Embeddings);
        foreach (var e in embeddings)
        {
            Assert.Equal(30, e.Centers.Length);
            Assert.Equal(60, e.Points.Length);
            Assert.All(e.Points, p => Assert.True(float.IsFinite(p)));
            // Both centers, the held-out one included, each with its share of the budget.
            Assert.Equal([15, 15], e.Centers.GroupBy(c => c).OrderBy(g => g.Key).Select(g => g.Count()));
            Assert.Equal(_data.Dataset.Centers, e.CenterNames);
            Assert.InRange(e.MixingScore, 0, 1);
            Assert.InRange(e.ClassSeparability, 0, 1);
            Assert.True(double.IsFinite(e.Kl) && e.Kl >= 0, $"KL {e.Kl}");
        }
        // The stage-1 embedding comes after the stage-1 evaluations and before the first stage-2 step's report.
        int stage1 = recorder.Events.IndexOf(embeddings[0]);
        Assert.Contains(recorder.Events.Take(stage1), e => e is EvaluationRecord { Step: 0 });
        Assert.DoesNotContain(recorder.Events.Take(stage1), e => e is TrainingProgress { Step: 3 });

        // On demand, from the stored best weights: the same sample, embedded by a fresh network.
        var stored = FeatureEmbedding.EmbedCheckpoint(_data.Dataset, config, Path.Combine(dir, "best.weights"), CPU, Tiny, step: result.SelectedStep);
        Assert.Equal("checkpoint", stored.Label);
        Assert.Equal(embeddings[1].Centers, stored.Centers);
        Assert.Equal(embeddings[1].Classes, stored.Classes);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void A_single_stage_run_embeds_only_at_the_end_and_none_when_switched_off()
    {
        var config = new AlgorithmConfig
        {
            Algorithm = "erm", Backbone = "resnet18", Init = BackboneInit.Scratch, ImageSize = 32, BatchPerCenter = 4, Steps = 3, Stage1Steps = 0, EvalEvery = 2, Seed = 2,
        };
        var on = new Recorder();
        new Trainer(_data.Dataset, _data.Dataset.Centers[0], config, n => AlgorithmRegistry.Create(config, n, CPU), CPU,
            new TrainerOptions { Embedding = Tiny }, on).Run();
        Assert.Equal([(2, "final")], on.Events.OfType<EmbeddingRecord>().Select(e => (e.Step, e.Label)));

        var off = new Recorder();
        new Trainer(_data.Dataset, _data.Dataset.Centers[0], config, n => AlgorithmRegistry.Create(config, n, CPU), CPU, new TrainerOptions(), off).Run();
        Assert.Empty(off.Events.OfType<EmbeddingRecord>());
    }
}
