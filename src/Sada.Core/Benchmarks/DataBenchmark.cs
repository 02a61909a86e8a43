using System.Diagnostics;
using Sada.Core.Algorithms;
using Sada.Core.Models;
using Sada.Core.Runtime;
using Sada.Core.Training;
using static TorchSharp.torch;

namespace Sada.Core.Benchmarks;

public sealed record DataBenchmarkOptions
{
    /// <summary>Images in the synthetic set, over all centers.</summary>
    public int Images { get; init; } = 60_000;
    /// <summary>The model's image size (crops and evaluation).</summary>
    public int Size { get; init; } = 96;
    /// <summary>Side of the generated images; 0: the model size.</summary>
    public int SourceSize { get; init; }
    public int Centers { get; init; } = 4;
    /// <summary>Images actually drawn; the rest of the set are copies of them (<see cref="SyntheticSetOnDisk"/>).</summary>
    public int Distinct { get; init; } = 4_000;
    /// <summary>Where the set is written (reused when it already holds the same set); null: a temporary folder, deleted after.</summary>
    public string? Folder { get; init; }
    public int CacheMegabytes { get; init; } = Configuration.DataOptions.DefaultCacheMegabytes;
    /// <summary>Steps through the pipeline alone, batches made as fast as the machine allows.</summary>
    public int PipelineSteps { get; init; } = 40;
    /// <summary>Training steps with the real backbone (after <see cref="Warmup"/>); 0 skips training.</summary>
    public int Steps { get; init; } = 10;
    public int Warmup { get; init; } = 2;
    public string Algorithm { get; init; } = "erm";
    public string Backbone { get; init; } = "resnet18";
    public int BatchPerCenter { get; init; } = 32;
    /// <summary>Batches made ahead during training (<see cref="TrainerOptions.PrefetchBatches"/>).</summary>
    public int Prefetch { get; init; } = 2;
    public int Seed { get; init; }
}

/// <param name="Phase">What was timed.</param>
/// <param name="Images">Images it handled.</param>
/// <param name="Seconds">Its wall-clock time.</param>
public sealed record DataPhase(string Phase, long Images, double Seconds)
{
    public double ImagesPerSecond => Images / Math.Max(Seconds, 1e-9);
}

public sealed record DataBenchmarkResult(
    DataBenchmarkOptions Options, int Threads, string LoadAverage, IReadOnlyList<DataPhase> Phases,
    int CachedImages, int KeptImages, long CacheBytes, long DecodedAgain,
    PhaseTiming? Step, PhaseTiming? Wait, long PeakResidentBytes, IReadOnlyList<(string After, long Bytes)> Resident)
{
    /// <summary>The .NET heap after the last phase (after a full collection): the kept images and everything else managed.</summary>
    public long ManagedHeapBytes { get; init; }
    /// <summary>Median wait for a batch over median step time (the step includes its wait).</summary>
    public double? WaitShare => Step is null || Wait is null ? null : Wait.MedianMs / Step.MedianMs;
    /// <summary>Bytes the cache would hold per 10,000 images kept (its measured mean image).</summary>
    public double BytesPer10000 => KeptImages == 0 ? 0 : CacheBytes * 10_000.0 / KeptImages;
}

/// <summary>
/// The data side of training at scale: a synthetic multi-center set written to disk, every image decoded once into the
/// bounded cache, minibatches through the pipeline alone, then real training steps (the backbone on the batches the
/// pipeline makes ahead) with the time each step waited for its batch, and the process's peak resident memory.
/// </summary>
public static class DataBenchmark
{
    public static DataBenchmarkResult Run(DataBenchmarkOptions options, Action<string>? log = null)
    {
        if (options.Images < 10 || options.Size < 16 || options.PipelineSteps < 1 || options.Steps < 0 || options.Warmup < 0 || options.BatchPerCenter < 1)
            throw new ArgumentException("bench data needs images >= 10, size >= 16, pipeline-steps >= 1, steps >= 0, warmup >= 0 and batch >= 1");
        var folder = options.Folder ?? Path.Combine(Path.GetTempPath(), $"sada-bench-data-{Guid.NewGuid():N}");
        try
        {
            return Run(options, folder, log);
        }
        finally
        {
            if (options.Folder is null && Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    static DataBenchmarkResult Run(DataBenchmarkOptions options, string folder, Action<string>? log)
    {
        var phases = new List<DataPhase>();
        int source = options.SourceSize > 0 ? options.SourceSize : options.Size;
        var (data, writeSeconds) = SyntheticSetOnDisk.Ensure(folder, options.Images, options.Centers, source, options.Seed, options.Distinct, log);
        if (writeSeconds > 0) phases.Add(new DataPhase("write synthetic set", data.Samples.Count, writeSeconds));

        var config = new AlgorithmConfig
        {
            Algorithm = options.Algorithm, Backbone = options.Backbone, Init = Backbones.DefaultInit(options.Backbone), ImageSize = options.Size, BatchPerCenter = options.BatchPerCenter,
            Steps = 1_000_000, Stage1Steps = 999_999, Seed = options.Seed,
        }.EnsureValid();
        var split = LeaveOneCenterOut.Split(data, data.Centers[0], config.HoldoutFraction, config.Seed);

        log?.Invoke($"decoding {data.Samples.Count} images once");
        var cache = BoundedImageCache.WithMegabytes(options.Size, options.CacheMegabytes);
        var clock = Stopwatch.StartNew();
        cache.Load(split.Training.SelectMany(t => t.Train).Select(s => (s.Path, ImageUse.Training))
            .Concat(split.Training.SelectMany(t => t.Validation).Concat(split.Test).Select(s => (s.Path, ImageUse.Evaluation))));
        phases.Add(new DataPhase("decode once into the cache", cache.Count, clock.Elapsed.TotalSeconds));
        var resident = new List<(string, long)> { ("decoding (peak so far)", ProcessMemory.PeakResidentBytes()), ("decoding", ProcessMemory.ResidentBytes()) };

        var sampler = new BalancedBatchSampler(split.Training, config.BatchPerCenter, config.Seed);
        int cellsPerStep = config.BatchPerCenter * split.Training.Count;
        log?.Invoke($"{options.PipelineSteps} batches through the pipeline alone");
        long decodedBefore = cache.DecodedAgain;
        clock.Restart();
        using (var pipeline = new BatchPipeline(sampler.At, (cells, step) => TrainingBatches.Make(cells, cache, config, step),
                   options.PipelineSteps, Environment.ProcessorCount))
            for (int step = 0; step < options.PipelineSteps; step++) pipeline.Take(step).Dispose();
        phases.Add(new DataPhase($"pipeline alone ({cache.DecodedAgain - decodedBefore} decoded again)", (long)options.PipelineSteps * cellsPerStep,
            clock.Elapsed.TotalSeconds));
        resident.Add(("the pipeline alone", ProcessMemory.ResidentBytes()));

        PhaseTiming? stepTiming = null, waitTiming = null;
        if (options.Steps > 0)
        {
            log?.Invoke($"{options.Warmup} + {options.Steps} training steps ({options.Algorithm}, {options.Backbone}, {cellsPerStep} cells per step)");
            (stepTiming, waitTiming, var seconds) = Train(options, config, data.Classes.Count, sampler, cache);
            phases.Add(new DataPhase($"training steps, prefetch {options.Prefetch}", (long)options.Steps * cellsPerStep, seconds));
            resident.Add(("training", ProcessMemory.ResidentBytes()));
        }
        return new DataBenchmarkResult(options, get_num_threads(), ProcessMemory.LoadAverage(), phases, cache.Count, cache.KeptCount, cache.Bytes,
            cache.DecodedAgain, stepTiming, waitTiming, ProcessMemory.PeakResidentBytes(), resident)
        {
            ManagedHeapBytes = GC.GetGCMemoryInfo().HeapSizeBytes,
        };
    }

    static (PhaseTiming Step, PhaseTiming Wait, double Seconds) Train(DataBenchmarkOptions options, AlgorithmConfig config, int classes,
        BalancedBatchSampler sampler, BoundedImageCache cache)
    {
        using var algorithm = GlobalRandom.Exclusive(() =>
        {
            manual_seed(config.Seed);
            return AlgorithmRegistry.Create(config, classes, CPU);
        });
        algorithm.Network.train();
        int total = options.Warmup + options.Steps;
        using var pipeline = new BatchPipeline(sampler.At, (cells, step) => TrainingBatches.Make(cells, cache, config, step), total, options.Prefetch);
        var steps = new List<double>();
        var waits = new List<double>();
        var clock = Stopwatch.StartNew();
        for (int step = 0; step < total; step++)
        {
            if (step == options.Warmup) clock.Restart();
            var start = Stopwatch.StartNew();
            var waitedBefore = pipeline.Waited;
            using (var prepared = pipeline.Take(step))
            using (NewDisposeScope())
            {
                var batch = prepared.On(CPU);
                GlobalRandom.Exclusive(() =>
                {
                    manual_seed(SeedMix.Of(config.Seed, step, -1));
                    return algorithm.Update(batch, step);
                });
            }
            if (step < options.Warmup) continue;
            steps.Add(start.Elapsed.TotalMilliseconds);
            waits.Add((pipeline.Waited - waitedBefore).TotalMilliseconds);
        }
        return (Timing("training step", steps), Timing("wait for the batch", waits), clock.Elapsed.TotalSeconds);
    }

    internal static PhaseTiming Timing(string phase, List<double> ms)
    {
        var sorted = ms.Order().ToArray();
        double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        return new PhaseTiming(phase, median, sorted[0], sorted[^1]);
    }
}
