using System.Diagnostics;
using Sada.Core.Algorithms;
using Sada.Core.Models;
using Sada.Core.Stain;
using Sada.Core.Training;
using static TorchSharp.torch;

namespace Sada.Core.Benchmarks;

public sealed record BodaCentroidBenchmarkOptions
{
    /// <summary>Training images over the three made-up centers (a BoDA refresh passes every one through the backbone).</summary>
    public int Images { get; init; } = 240;
    public int Size { get; init; } = 224;
    public string Backbone { get; init; } = "resnet18";
    public int BatchSize { get; init; } = 16;
    public int Classes { get; init; } = 5;
    public int Repeats { get; init; } = 3;
    public int Seed { get; init; }
}

/// <summary>One refresh's cost: min, median and max over the repeats, and per image.</summary>
public sealed record BodaCentroidBenchmarkResult(BodaCentroidBenchmarkOptions Options, PhaseTiming Refresh, long ResidentBefore, long ResidentAfter)
{
    public double MedianMsPerImage => Refresh.MedianMs / Options.Images;
    public double ImagesPerSecond => Options.Images / (Refresh.MedianMs / 1000);
}

/// <summary>
/// The cost of one BoDA centroid refresh: the representation of every training image (eval mode, no gradients, in eval
/// batches) and the per-(center, class) means, timed through <see cref="Boda.RefreshCentroids"/> on made-up stained cells.
/// A run pays it once every BodaUpdateEvery steps; multiply by Steps / BodaUpdateEvery for a run's total.
/// </summary>
public static class BodaCentroidBenchmark
{
    public static BodaCentroidBenchmarkResult Run(BodaCentroidBenchmarkOptions options, Action<string>? log = null)
    {
        long before = ProcessMemory.ResidentBytes();
        using var generator = new Generator((ulong)options.Seed);
        using var images = SyntheticStainedCells.Generate(options.Images, options.Size, generator);
        int centers = SyntheticStainedCells.Centers;
        // Image i comes from center i * centers / images (as the generator paints them); its class is i mod classes.
        var byCenter = Enumerable.Range(0, centers)
            .Select(c => Enumerable.Range(0, options.Images).Where(i => i * centers / options.Images == c).ToList()).ToList();
        var set = new TrainingSet(Enumerable.Range(0, centers).ToList(), Enumerable.Range(0, centers).Select(c => $"center{c}").ToList(),
            byCenter.Select(ids => (IReadOnlyList<int>)ids.Select(i => i % options.Classes).ToList()).ToList(),
            c => Batches(images, byCenter[c], options.BatchSize),
            (level, message) => { if (level != "progress") log?.Invoke(message); });
        var config = new AlgorithmConfig
        {
            Algorithm = "boda", Backbone = options.Backbone, Init = Backbones.DefaultInit(options.Backbone), ImageSize = options.Size, Seed = options.Seed, Steps = 1000, Stage1Steps = 0,
        }.EnsureValid();
        using var boda = new Boda(config, options.Classes, CPU, new JitterAndNormalize(config));
        boda.Attach(set);

        var ms = new List<double>();
        for (int repeat = 0; repeat <= options.Repeats; repeat++)
        {
            var clock = Stopwatch.StartNew();
            boda.RefreshCentroids(config.BodaUpdateEvery * (repeat + 1));
            // The first refresh warms up (allocations, kernels) and is not counted.
            if (repeat > 0) ms.Add(clock.Elapsed.TotalMilliseconds);
        }
        ms.Sort();
        return new BodaCentroidBenchmarkResult(options, new PhaseTiming("centroid refresh", ms[ms.Count / 2], ms[0], ms[^1]), before, ProcessMemory.ResidentBytes());
    }

    static IEnumerable<Tensor> Batches(Tensor images, List<int> ids, int batchSize)
    {
        for (int start = 0; start < ids.Count; start += batchSize)
        {
            using var index = tensor(ids.Skip(start).Take(batchSize).Select(i => (long)i).ToArray());
            yield return images.index_select(0, index);
        }
    }
}
