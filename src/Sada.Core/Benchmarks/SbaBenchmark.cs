using System.Diagnostics;
using Sada.Core.Algorithms;
using Sada.Core.Stain;
using static TorchSharp.torch;

namespace Sada.Core.Benchmarks;

public sealed record SbaBenchmarkOptions
{
    public int Size { get; init; } = 224;
    public int Cells { get; init; } = 24;
    public int K { get; init; } = 3;
    public int Repeats { get; init; } = 5;
    public int Warmup { get; init; } = 1;
    public int Seed { get; init; }
}

/// <param name="Phase">A phase of <see cref="StainAugmenter.Phases"/>, or "total".</param>
public sealed record PhaseTiming(string Phase, double MedianMs, double MinMs, double MaxMs);

public sealed record SbaBenchmarkResult(
    SbaBenchmarkOptions Options, int Threads, IReadOnlyList<PhaseTiming> Phases, long RssBeforeBytes, long RssAfterBytes)
{
    public PhaseTiming Total => Phases.Single(p => p.Phase == "total");
}

/// <summary>
/// Times every phase of the stain-based augmentation on made-up cells from three centers: after a warm-up,
/// several repeats, median per phase, and resident memory before and after (a leak shows as growth).
/// </summary>
public static class SbaBenchmark
{
    public static SbaBenchmarkResult Run(SbaBenchmarkOptions options)
    {
        if (options.Cells < 1 || options.Size < 8 || options.K < 2 || options.Repeats < 1)
            throw new ArgumentException("bench sba needs cells >= 1, size >= 8, k >= 2 and repeats >= 1");
        var augmenter = new StainAugmenter(new AlgorithmConfig { K = options.K, ImageSize = options.Size });
        using var images = SyntheticStainedCells.Generate(options.Cells, options.Size, new Generator((ulong)options.Seed));
        using var labels = zeros(options.Cells, dtype: int64);
        var samples = StainAugmenter.Phases.Append("total").ToDictionary(p => p, _ => new List<double>());

        for (int i = 0; i < options.Warmup; i++) Once(augmenter, images, labels, options.Seed + 1000 + i, null);
        long rssBefore = ProcessMemory.ResidentBytes();
        for (int i = 0; i < options.Repeats; i++) Once(augmenter, images, labels, options.Seed + i, samples);
        long rssAfter = ProcessMemory.ResidentBytes();

        var phases = samples.Select(kv => new PhaseTiming(kv.Key, Median(kv.Value), kv.Value.Min(), kv.Value.Max())).ToList();
        return new SbaBenchmarkResult(options, get_num_threads(), phases, rssBefore, rssAfter);
    }

    static void Once(StainAugmenter augmenter, Tensor images, Tensor labels, int seed, Dictionary<string, List<double>>? samples)
    {
        var generator = new Generator((ulong)seed);
        var total = Stopwatch.StartNew();
        var phase = Stopwatch.StartNew();
        var (views, viewLabels) = augmenter.Augment(images, labels, generator, name =>
        {
            samples?[name].Add(phase.Elapsed.TotalMilliseconds);
            phase.Restart();
        });
        total.Stop();
        samples?["total"].Add(total.Elapsed.TotalMilliseconds);
        views.Dispose();
        viewLabels.Dispose();
    }

    static double Median(List<double> xs)
    {
        var s = xs.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
