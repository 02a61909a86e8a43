using System.Diagnostics;
using Sada.Core.Algorithms;
using Sada.Core.Imaging;
using Sada.Core.Inference;
using static TorchSharp.torch;

namespace Sada.Core.Benchmarks;

public sealed record PredictBenchmarkOptions
{
    public int Size { get; init; } = 224;
    public string Backbone { get; init; } = "resnet18";
    /// <summary>Cells classified together for the throughput row (the review gallery's case).</summary>
    public int Cells { get; init; } = 256;
    /// <summary>Cells per forward pass when classifying many (<see cref="CellClassifier.BatchSize"/>).</summary>
    public int Batch { get; init; } = 16;
    public int Repeats { get; init; } = 20;
    public int Seed { get; init; }
}

public sealed record PredictBenchmarkResult(
    PredictBenchmarkOptions Options, int Threads, double LoadMs, PhaseTiming OneCell, double BatchSeconds, long ResidentBefore, long ResidentAfter)
{
    public double CellsPerSecond => Options.Cells / BatchSeconds;
}

/// <summary>
/// What Predict and the review gallery cost: loading a run's stored weights into a <see cref="CellClassifier"/>, one cell
/// (the Predict page), and many cells in batches (the gallery). The weights are a freshly built network saved to a
/// temporary file, so the numbers need no trained run; the cost does not depend on the weights' values.
/// </summary>
public static class PredictBenchmark
{
    static readonly string[] Classes = ["neutrophil", "lymphocyte", "monocyte", "eosinophil", "basophil"];

    public static PredictBenchmarkResult Run(PredictBenchmarkOptions options)
    {
        if (options.Size < 16 || options.Cells < 1 || options.Repeats < 1 || options.Batch < 1)
            throw new ArgumentException("bench predict needs size >= 16, cells >= 1, batch >= 1 and repeats >= 1");
        var config = new AlgorithmConfig { Backbone = options.Backbone, Init = BackboneInit.Scratch, ImageSize = options.Size, Seed = options.Seed };
        config.EnsureValid();
        var weights = Path.Combine(Path.GetTempPath(), $"sada-bench-predict-{Guid.NewGuid():N}.weights");
        try
        {
            using (var network = AlgorithmRegistry.CreateNetwork(config, Classes.Length, CPU)) network.save(weights);
            var images = Cells(options);
            long before = ProcessMemory.ResidentBytes();

            var load = Stopwatch.StartNew();
            using var classifier = CellClassifier.Load(config, Classes, weights, CPU, options.Batch);
            double loadMs = load.Elapsed.TotalMilliseconds;

            classifier.Classify(images[0]);   // warm-up
            var one = new List<double>();
            for (int i = 0; i < options.Repeats; i++)
            {
                var watch = Stopwatch.StartNew();
                classifier.Classify(images[i % images.Count]);
                one.Add(watch.Elapsed.TotalMilliseconds);
            }

            var batch = Stopwatch.StartNew();
            classifier.Classify(images);
            double batchSeconds = batch.Elapsed.TotalSeconds;
            long after = ProcessMemory.ResidentBytes();

            one.Sort();
            return new PredictBenchmarkResult(options, get_num_threads(), loadMs, new PhaseTiming("one cell", one[one.Count / 2], one[0], one[^1]),
                batchSeconds, before, after);
        }
        finally
        {
            File.Delete(weights);
        }
    }

    /// <summary>Made-up stained cells as decoded 8-bit RGB, the form an uploaded or stored image reaches the classifier in.</summary>
    static List<DecodedImage> Cells(PredictBenchmarkOptions options)
    {
        using var scope = NewDisposeScope();
        var rgb = SyntheticStainedCells.Generate(options.Cells, options.Size, new Generator((ulong)options.Seed))
            .mul(255).round().clamp(0, 255).to(ScalarType.Byte).permute(0, 2, 3, 1).contiguous();
        var bytes = rgb.data<byte>().ToArray();
        int perCell = options.Size * options.Size * 3;
        return Enumerable.Range(0, options.Cells)
            .Select(i => new DecodedImage(options.Size, options.Size, bytes.AsSpan(i * perCell, perCell).ToArray()))
            .ToList();
    }
}
