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
    /// <summary>Only the bare backbone's forward and backward (a whole process to time against the PyTorch reference).</summary>
    public bool BareOnly { get; init; }
    /// <summary>Only the bare backbone and the whole step (no augmentation, without-LA or without-DISC rows).</summary>
    public bool Quick { get; init; }
    /// <summary>Network and inputs stored channels-last (<see cref="Models.ChannelsLast"/>), in every row.</summary>
    public bool ChannelsLast { get; init; }
    /// <summary>Forward passes under bfloat16 autocast (<see cref="Runtime.CpuAutocast"/>), in every row.</summary>
    public bool BFloat16 { get; init; }
}

public sealed record StepBenchmarkResult(StepBenchmarkOptions Options, IReadOnlyList<PhaseTiming> Rows, long ResidentBefore, long ResidentAfter)
{
    public PhaseTiming Bare => Rows.Single(r => r.Phase == "bare backbone fwd+bwd");
    public PhaseTiming? SadaStep => Rows.SingleOrDefault(r => r.Phase == "SADA stage-1 step");
    public double? Ratio => SadaStep is null ? null : SadaStep.MedianMs / Bare.MedianMs;
    /// <summary>SADA step over bare backbone, pair by pair (the two timed in turn); empty with <see cref="StepBenchmarkOptions.BareOnly"/>.</summary>
    public IReadOnlyList<double> PairRatios { get; init; } = [];
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
        using var backbone = new ResNetBackbone(options.Backbone);
        using var noise = randn(options.Cells * options.K, 3, options.Size, options.Size);
        if (options.ChannelsLast) ChannelsLast.Convert(backbone);
        backbone.BFloat16 = options.BFloat16;
        using var views = options.ChannelsLast ? ChannelsLast.Of(noise) : noise.alias();
        backbone.train();
        void Bare()
        {
            using var scope = NewDisposeScope();
            backbone.zero_grad();
            backbone.call(views).Representation.sum().backward();
        }
        if (options.BareOnly)
        {
            rows.Add(Time("bare backbone fwd+bwd", options, Bare));
            return new StepBenchmarkResult(options, rows, before, ProcessMemory.ResidentBytes());
        }

        var batch = new MultiCenterBatch(Enumerable.Range(0, centers).Select(c =>
        {
            using var picks = arange(c, options.Cells, centers, dtype: int64);
            return new CenterMinibatch(c, images.index_select(0, picks), labels.index_select(0, picks));
        }).ToList());
        Action StepOf(AlgorithmConfig variant, out IAlgorithm algorithm)
        {
            var a = AlgorithmRegistry.Create(variant with { ChannelsLast = options.ChannelsLast, BFloat16 = options.BFloat16 }, 5, CPU);
            a.Network.train();
            algorithm = a;
            int step = 0;
            return () =>
            {
                using var scope = NewDisposeScope();
                a.Update(batch, step++);
            };
        }

        // The whole step and the bare backbone in turn (bare, step, bare, step, ...), so that a change in the machine's
        // speed (a shared machine) reaches both: the ratio is taken pair by pair.
        var sadaStep = StepOf(config, out var sada);
        IReadOnlyList<double> ratios;
        using (sada)
        {
            var (bare, step, pairs) = TimePaired("bare backbone fwd+bwd", Bare, "SADA stage-1 step", sadaStep, options);
            rows.Add(bare);
            rows.Add(step);
            ratios = pairs;
        }

        if (!options.Quick)
        {
            // The augmentation alone, then the step with one term off at a time: what LA and DISC each cost.
            var augmenter = new StainAugmenter(config);
            rows.Add(Time("  stain augmentation", options, () =>
            {
                using var scope = NewDisposeScope();
                augmenter.Augment(images, labels, generator);
            }));
            foreach (var (phase, variant) in new[] { ("  without LA", config with { LaWeight = 0 }), ("  without DISC", config with { Contrast = ContrastMode.None }) })
            {
                var run = StepOf(variant, out var algorithm);
                using (algorithm) rows.Add(Time(phase, options, run));
            }
        }
        foreach (var c in batch.Centers) { c.Images.Dispose(); c.Labels.Dispose(); }

        GC.Collect();
        return new StepBenchmarkResult(options, rows, before, ProcessMemory.ResidentBytes()) { PairRatios = ratios };
    }

    /// <summary>Warm-ups of both, then <c>Repeats</c> pairs (a, b), each pair's b / a ratio kept.</summary>
    static (PhaseTiming A, PhaseTiming B, IReadOnlyList<double> Ratios) TimePaired(string phaseA, Action a, string phaseB, Action b, StepBenchmarkOptions options)
    {
        for (int i = 0; i < options.Warmup; i++) { a(); b(); }
        var msA = new List<double>();
        var msB = new List<double>();
        var ratios = new List<double>();
        for (int i = 0; i < options.Repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            a();
            msA.Add(clock.Elapsed.TotalMilliseconds);
            clock.Restart();
            b();
            msB.Add(clock.Elapsed.TotalMilliseconds);
            ratios.Add(msB[^1] / msA[^1]);
        }
        return (Summary(phaseA, msA), Summary(phaseB, msB), ratios);
    }

    static PhaseTiming Summary(string phase, List<double> ms)
    {
        ms.Sort();
        return new PhaseTiming(phase, ms[ms.Count / 2], ms[0], ms[^1]);
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
