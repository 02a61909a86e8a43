using Sada.Core.Algorithms;
using Sada.Core.Models;
using Sada.Core.Training;
using static TorchSharp.torch;

namespace Sada.Core.Benchmarks;

public sealed record TrainBenchmarkOptions
{
    public int Images { get; init; } = 2_000;
    public int Size { get; init; } = 64;
    /// <summary>Side of the generated images; 0: the model size.</summary>
    public int SourceSize { get; init; }
    public int Centers { get; init; } = 4;
    /// <summary>Images actually drawn; the rest of the set are copies of them (<see cref="SyntheticSetOnDisk"/>).</summary>
    public int Distinct { get; init; } = 4_000;
    public string? Folder { get; init; }
    public int CacheMegabytes { get; init; } = Configuration.DataOptions.DefaultCacheMegabytes;
    public string Algorithm { get; init; } = "sada";
    public string Backbone { get; init; } = "resnet18";
    public int Steps { get; init; } = 30;
    public int EvalEvery { get; init; } = 15;
    public int BatchPerCenter { get; init; } = 8;
    public int Prefetch { get; init; } = 2;
    /// <summary>Whole runs, each from scratch (its own checkpoint-free trainer), for min, median and max.</summary>
    public int Repeats { get; init; } = 1;
    public int Seed { get; init; }
}

/// <summary>Median, smallest and largest of a measure over repeats.</summary>
public sealed record Spread(double Median, double Min, double Max)
{
    public static Spread Of(IEnumerable<double> values)
    {
        var s = values.Order().ToArray();
        if (s.Length == 0) throw new ArgumentException("A spread needs at least one value.");
        double median = s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
        return new Spread(median, s[0], s[^1]);
    }
}

/// <summary>Each phase's seconds over the repeats, and its share of the run's total (medians).</summary>
public sealed record TrainPhase(string Phase, Spread Seconds, double Share);

public sealed record TrainBenchmarkResult(
    TrainBenchmarkOptions Options, int Threads, string LoadAverage, int Images, IReadOnlyList<TrainPhase> Phases,
    Spread TrainImagesPerSecond, double HeldOutAccuracy, long PeakResidentBytes);

/// <summary>
/// A whole short training run end to end through the real <see cref="Trainer"/> on a synthetic set on disk: decoding,
/// the pipeline, the steps, the evaluations (streamed), SWAD when configured; where the time goes, phase by phase.
/// </summary>
public static class TrainBenchmark
{
    public static TrainBenchmarkResult Run(TrainBenchmarkOptions options, Action<string>? log = null)
    {
        if (options.Images < 10 || options.Steps < 1 || options.Repeats < 1 || options.EvalEvery < 1)
            throw new ArgumentException("bench train needs images >= 10, steps >= 1, eval-every >= 1 and repeats >= 1");
        var folder = options.Folder ?? Path.Combine(Path.GetTempPath(), $"sada-bench-train-{Guid.NewGuid():N}");
        try
        {
            var (data, _) = SyntheticSetOnDisk.Ensure(folder, options.Images, options.Centers,
                options.SourceSize > 0 ? options.SourceSize : options.Size, options.Seed, options.Distinct, log);
            var config = new AlgorithmConfig
            {
                Algorithm = options.Algorithm, Backbone = options.Backbone, Init = Backbones.DefaultInit(options.Backbone), ImageSize = options.Size, BatchPerCenter = options.BatchPerCenter,
                Steps = options.Steps, Stage1Steps = options.Steps / 2, EvalEvery = options.EvalEvery, Seed = options.Seed,
            }.EnsureValid();
            var runs = new List<TrainingResult>();
            for (int r = 0; r < options.Repeats; r++)
            {
                log?.Invoke($"run {r + 1} of {options.Repeats}: {config.Algorithm}, {config.Backbone}, {config.Steps} steps, holding out {data.Centers[0]}");
                var trainer = new Trainer(data, data.Centers[0], config, n => AlgorithmRegistry.Create(config, n, CPU), CPU,
                    new TrainerOptions { CacheMegabytes = options.CacheMegabytes, PrefetchBatches = options.Prefetch, Resume = false });
                runs.Add(trainer.Run());
            }
            var timings = runs.Select(r => r.Timings!).ToList();
            double medianTotal = Spread.Of(timings.Select(t => t.Total)).Median;
            TrainPhase Phase(string name, Func<RunTimings, double> of)
            {
                var seconds = Spread.Of(timings.Select(of));
                return new TrainPhase(name, seconds, seconds.Median / medianTotal);
            }
            var phases = new List<TrainPhase>
            {
                Phase("decode once", t => t.Decode),
                Phase("build network", t => t.Build),
                Phase("steps (compute)", t => t.Steps - t.BatchWait),
                Phase("steps waiting for a batch", t => t.BatchWait),
                Phase("evaluations (streamed)", t => t.Evaluation),
                Phase("t-SNE", t => t.Embedding),
                Phase("SWAD and result", t => t.Swad),
                Phase("total", t => t.Total),
            };
            var imagesPerSecond = Spread.Of(timings.Select(t => t.TrainImages / Math.Max(t.Steps, 1e-9)));
            return new TrainBenchmarkResult(options, get_num_threads(), ProcessMemory.LoadAverage(), data.Samples.Count, phases, imagesPerSecond,
                runs[^1].Last.Accuracy, ProcessMemory.PeakResidentBytes());
        }
        finally
        {
            if (options.Folder is null && Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
