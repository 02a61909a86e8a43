using System.Diagnostics;
using Sada.Core.Algorithms;
using Sada.Core.Augmentation;
using Sada.Core.Models;
using Sada.Core.Stain;
using Sada.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Benchmarks;

public sealed record StepBenchmarkOptions
{
    public int Size { get; init; } = 224;
    /// <summary>Cells per step, split evenly over the made-up centers (24 = 3 x 8).</summary>
    public int Cells { get; init; } = 24;
    public int K { get; init; } = 3;
    public string Backbone { get; init; } = "resnet18";
    public int Repeats { get; init; } = 3;
    public int Warmup { get; init; } = 1;
    public int Seed { get; init; }
}

public sealed record StepBenchmarkResult(StepBenchmarkOptions Options, IReadOnlyList<PhaseTiming> Rows, long ResidentBefore, long ResidentAfter)
{
    public PhaseTiming Bare => Rows.Single(r => r.Phase == "bare backbone fwd+bwd");
    public PhaseTiming SadaStep => Rows.Single(r => r.Phase == "SADA stage-1 step");
    public double Ratio => SadaStep.MedianMs / Bare.MedianMs;
}

/// <summary>
/// The cost of a full SADA stage-1 step (stain augmentation, one backbone pass over the k views, LA head and
/// loss, projector and DISC, backward, Adam) against the bare backbone's forward and backward over the same
/// k x N views, measured in the same process on the same inputs.
/// </summary>
public static class StepBenchmark
{
    public static StepBenchmarkResult Run(StepBenchmarkOptions options)
    {
        long before = ProcessMemory.ResidentBytes();
        using var generator = new Generator((ulong)options.Seed);
        using var images = SyntheticStainedCells.Generate(options.Cells, options.Size, generator);
        int centers = SyntheticStainedCells.Centers;
        using var labels = arange(options.Cells, dtype: int64).remainder(5);
        var config = new AlgorithmConfig
        {
            Algorithm = "sada", Backbone = options.Backbone, ImageSize = options.Size, K = options.K, Seed = options.Seed,
            // The cost does not depend on the weights' values; BatchNorm frozen as the method runs it from ImageNet.
            Init = BackboneInit.Scratch, FreezeBatchNorm = BatchNormPolicy.Always,
            BatchPerCenter = Math.Max(2, options.Cells / centers), Steps = 1_000_000, Stage1Steps = 999_999,
        }.EnsureValid();

        var rows = new List<PhaseTiming>();

        // The bare backbone on the k x N views (ImageNet-normalised noise of the same shape).
        using (var backbone = new ResNetBackbone(options.Backbone))
        using (var views = randn(options.Cells * options.K, 3, options.Size, options.Size))
        {
            backbone.train();
            rows.Add(Time("bare backbone fwd+bwd", options, () =>
            {
                using var scope = NewDisposeScope();
                backbone.zero_grad();
                var (_, r) = backbone.call(views);
                r.sum().backward();
            }));
            // The same network and views stored channels-last.
            ChannelsLast.Convert(backbone);
            using var viewsLast = ChannelsLast.Of(views);
            rows.Add(Time("  channels-last", options, () =>
            {
                using var scope = NewDisposeScope();
                backbone.zero_grad();
                var (_, r) = backbone.call(viewsLast);
                r.sum().backward();
            }));
        }

        // The augmentation alone, then the whole step.
        var augmenter = new StainAugmenter(config);
        rows.Add(Time("stain augmentation", options, () =>
        {
            using var scope = NewDisposeScope();
            augmenter.Augment(images, labels, generator);
        }));

        var batch = new MultiCenterBatch(Enumerable.Range(0, centers).Select(c =>
        {
            using var picks = arange(c, options.Cells, centers, dtype: int64);
            return new CenterMinibatch(c, images.index_select(0, picks), labels.index_select(0, picks));
        }).ToList());
        // The whole step, then with one term off at a time: what LA and DISC each cost.
        foreach (var (phase, variant) in new[]
                 {
                     ("SADA stage-1 step", config),
                     ("  without LA", config with { LaWeight = 0 }),
                     ("  without DISC", config with { Contrast = ContrastMode.None }),
                 })
        {
            using var algorithm = AlgorithmRegistry.Create(variant, 5, CPU);
            algorithm.Network.train();
            int step = 0;
            rows.Add(Time(phase, options, () =>
            {
                using var scope = NewDisposeScope();
                algorithm.Update(batch, step++);
            }));
        }
        foreach (var c in batch.Centers) { c.Images.Dispose(); c.Labels.Dispose(); }

        GC.Collect();
        return new StepBenchmarkResult(options, rows, before, ProcessMemory.ResidentBytes());
    }

    static PhaseTiming Time(string phase, StepBenchmarkOptions options, Action run)
    {
        for (int i = 0; i < options.Warmup; i++) run();
        var ms = new List<double>();
        for (int i = 0; i < options.Repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            run();
            ms.Add(clock.Elapsed.TotalMilliseconds);
        }
        ms.Sort();
        return new PhaseTiming(phase, ms[ms.Count / 2], ms[0], ms[^1]);
    }
}
