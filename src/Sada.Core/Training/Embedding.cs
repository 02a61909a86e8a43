using System.Diagnostics;
using Sada.Core.Algorithms;
using Sada.Core.Data;
using Sada.Core.Embedding;
using Sada.Core.Imaging;
using Sada.Core.Inference;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Training;

/// <summary>
/// The t-SNE a run makes of its backbone features: a stratified sample over every center, the held-out one included
/// (default 1,500 cells), embedded at the end of stage 1 and at the end of the run.
/// </summary>
public sealed record EmbeddingOptions
{
    public int Budget { get; init; } = StratifiedSample.DefaultBudget;
    /// <summary>Seeds the sample (the same cells at every embedding of a run).</summary>
    public int Seed { get; init; }
    /// <summary>Neighbours of the k-NN center and class classifiers on the 2-D points.</summary>
    public int Neighbours { get; init; } = 10;
    public bool AtEndOfStage1 { get; init; } = true;
    public bool AtEnd { get; init; } = true;
    public TsneOptions Tsne { get; init; } = new();
}

/// <summary>
/// A 2-D t-SNE of backbone features. Points row-major (x0, y0, x1, y1, ...); per point its center and class index into
/// <see cref="CenterNames"/> and <see cref="ClassNames"/>. MixingScore: accuracy of a k-NN center classifier on the
/// points (lower: more domain-invariant; <see cref="MixingChance"/> is the majority-center share); ClassSeparability:
/// the same for classes (higher: better separated).
/// </summary>
public sealed record EmbeddingRecord(
    int Step, string Label, float[] Points, int[] Centers, int[] Classes,
    IReadOnlyList<string> CenterNames, IReadOnlyList<string> ClassNames,
    double MixingScore, double MixingChance, double ClassSeparability, double Kl, double Seconds) : TrainingEvent
{
    public const string Stage1 = "stage1";
    public const string Final = "final";
    public const string Checkpoint = "checkpoint";
}

/// <summary>Backbone features of a stratified sample, t-SNE and the mixing scores: during training and for a stored checkpoint.</summary>
public static class FeatureEmbedding
{
    /// <summary>The sample: indices into <paramref name="samples"/>, stratified by (center, class).</summary>
    public static int[] Sample(IReadOnlyList<CellSample> samples, EmbeddingOptions options) =>
        StratifiedSample.Select(samples.Select(s => s.Center).ToArray(), samples.Select(s => s.Label).ToArray(),
            Math.Max(options.Budget, 0), options.Seed);

    /// <summary>Embeds <paramref name="cells"/> (their decoded pixels from <paramref name="image"/>) with the algorithm's backbone.</summary>
    public static EmbeddingRecord Embed(IAlgorithm algorithm, MultiCenterDataset data, IReadOnlyList<CellSample> cells,
        Func<CellSample, DecodedImage> image, int imageSize, Device device, EmbeddingOptions options, int step, string label, int batchSize = 64)
    {
        bool wasTraining = algorithm.Network.training;
        algorithm.Network.eval();
        try
        {
            return Embed(algorithm.Features, data, cells, image, imageSize, device, options, step, label, batchSize);
        }
        finally
        {
            if (wasTraining) algorithm.Network.train();
        }
    }

    /// <summary>Embeds <paramref name="cells"/> with <paramref name="features"/> (images in [0, 1] to r, in eval mode).</summary>
    public static EmbeddingRecord Embed(Func<Tensor, Tensor> features, MultiCenterDataset data, IReadOnlyList<CellSample> cells,
        Func<CellSample, DecodedImage> image, int imageSize, Device device, EmbeddingOptions options, int step, string label, int batchSize = 64)
    {
        if (cells.Count < 4) throw new InvalidOperationException($"A t-SNE needs at least 4 cells; the sample has {cells.Count}.");
        var clock = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        var batches = new List<Tensor>();
        using (no_grad())
        {
            for (int start = 0; start < cells.Count; start += batchSize)
            {
                using var batchScope = NewDisposeScope();
                var chunk = cells.Skip(start).Take(batchSize).Select(image).ToList();
                var x = CellTransforms.EvalBatch(chunk, imageSize).to(device);
                batches.Add(features(x).flatten(1).cpu().to(ScalarType.Float32).MoveToOuterDisposeScope());
            }
        }
        var all = cat(batches, 0);
        // t-SNE needs perplexity < N / 3: tiny samples get a smaller one.
        var tsneOptions = options.Tsne with { Perplexity = Math.Min(options.Tsne.Perplexity, Math.Max(1.0, (cells.Count - 1) / 3.0)) };
        var result = new Tsne(tsneOptions).Fit(all);
        var centers = cells.Select(c => c.Center).ToArray();
        var classes = cells.Select(c => c.Label).ToArray();
        int k = Math.Min(options.Neighbours, cells.Count - 1);
        var mixing = DomainMixing.CenterScore(result.Points, centers, k);
        var separability = DomainMixing.ClassSeparability(result.Points, classes, k);
        return new EmbeddingRecord(step, label, result.Points, centers, classes, data.Centers, data.Classes,
            mixing.Accuracy, mixing.Chance, separability.Accuracy, result.KlDivergence, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// On demand for a stored run: loads <paramref name="weightsPath"/> (best.weights or swad.weights) into a network of its
    /// own (<see cref="CellClassifier"/>), decodes the stratified sample of <paramref name="data"/> and embeds it.
    /// </summary>
    public static EmbeddingRecord EmbedCheckpoint(MultiCenterDataset data, AlgorithmConfig config, string weightsPath, Device device,
        EmbeddingOptions? options = null, int step = -1, string label = EmbeddingRecord.Checkpoint)
    {
        if (!File.Exists(weightsPath)) throw new FileNotFoundException($"Weights not found: {weightsPath}", weightsPath);
        options ??= new EmbeddingOptions();
        var index = Sample(data.Samples, options);
        var cells = index.Select(i => data.Samples[i]).ToList();
        var cache = new DecodedImageCache();
        cache.Load(cells.Select(c => c.Path));
        cells = cells.Where(c => cache.Contains(c.Path)).ToList();
        using var classifier = CellClassifier.Load(config, data.Classes, weightsPath, device);
        return Embed(classifier.Features, data, cells, c => cache[c.Path], config.ImageSize, device, options, step, label);
    }
}
