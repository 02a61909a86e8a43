using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Sada.Core.Algorithms;

namespace Sada.Data.Runs;

/// <summary>A run to estimate: its config and how many centers it trains on (the dataset's centers but the held-out one).</summary>
public sealed record RunPlan(AlgorithmConfig Config, int TrainingCenters);

/// <summary>A past run's measured training speed in views per second (images through the backbone, every view counted).</summary>
public sealed record SpeedSample(int RunId, string Backbone, int ImageSize, double ViewsPerSecond);

/// <summary>
/// The training time of some runs, or null <see cref="Seconds"/> when nothing comparable was measured; <see cref="Basis"/>
/// says what the number rests on. <see cref="Views"/> is every image the runs send through the backbone.
/// </summary>
public sealed record RunTimeEstimate(double? Seconds, long Views, string Basis);

/// <summary>
/// Estimates training time from the speed past runs measured. A run's metric rows store ImagesPerSecond as the Trainer
/// counts it: cells drawn per second of training steps (batch x training centers per step, evaluations excluded). A SADA
/// step sends k views of every cell through the backbone in stage 1 (and in the single-stage ablation) but one in stage 2;
/// the baselines one. So each measurement is turned into views per second with its own config, and a plan's time is its
/// views over the median of those speeds on the same device, backbone and image size (else the nearest image size,
/// scaled by pixel count). Without a measurement there is no number.
/// </summary>
public sealed class RunTimeEstimator(IDbContextFactory<SadaDbContext> dbs)
{
    /// <summary>How many of the newest measured runs on the device are looked at.</summary>
    public const int MaxSamples = 200;

    /// <summary>One sample per run that trained on <paramref name="device"/>: its latest evaluation's speed, the mean over the most steps.</summary>
    public async Task<IReadOnlyList<SpeedSample>> SamplesAsync(string device, CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        var runs = await db.Runs.AsNoTracking()
            .Where(r => r.Device == device && r.Metrics.Any(m => m.ImagesPerSecond != null))
            .OrderByDescending(r => r.Id).Take(MaxSamples)
            .Select(r => new { r.Id, r.ConfigJson }).ToListAsync(cancellation);
        var ids = runs.Select(r => r.Id).ToList();
        var latest = (await db.RunMetrics.AsNoTracking().Where(m => ids.Contains(m.RunId) && m.ImagesPerSecond != null)
                .Select(m => new { m.RunId, m.Step, m.ImagesPerSecond }).ToListAsync(cancellation))
            .GroupBy(m => m.RunId).ToDictionary(g => g.Key, g => g.MaxBy(m => m.Step)!);
        var samples = new List<SpeedSample>();
        foreach (var run in runs)
        {
            AlgorithmConfig config;
            try { config = AlgorithmConfig.FromJson(run.ConfigJson); }
            catch (JsonException) { continue; }
            var m = latest[run.Id];
            samples.Add(new SpeedSample(run.Id, config.Backbone, config.ImageSize, ViewsPerSecond(config, m.Step, m.ImagesPerSecond!.Value)));
        }
        return samples;
    }

    public async Task<RunTimeEstimate> EstimateAsync(string device, IReadOnlyList<RunPlan> plans, CancellationToken cancellation = default) =>
        Estimate(plans, await SamplesAsync(device, cancellation), device);

    /// <summary>The plans' total time from <paramref name="samples"/> (all on <paramref name="device"/>); null seconds if any plan has no comparable sample.</summary>
    public static RunTimeEstimate Estimate(IReadOnlyList<RunPlan> plans, IReadOnlyList<SpeedSample> samples, string device)
    {
        long views = 0;
        double seconds = 0;
        bool measured = true;
        var bases = new List<string>();
        foreach (var group in plans.GroupBy(p => (p.Config.Backbone, p.Config.ImageSize)))
        {
            long groupViews = group.Sum(p => Views(p.Config, p.TrainingCenters));
            views += groupViews;
            var speed = SpeedFor(group.Key.Backbone, group.Key.ImageSize, samples, device);
            bases.Add(speed.Basis);
            if (speed.ViewsPerSecond is double perSecond) seconds += groupViews / perSecond;
            else measured = false;
        }
        return new RunTimeEstimate(measured && plans.Count > 0 ? seconds : null, views, string.Join("; ", bases));
    }

    /// <summary>Every view one run sends through the backbone in training: batch x training centers x views per cell, summed over its steps.</summary>
    public static long Views(AlgorithmConfig config, int trainingCenters) =>
        (long)config.BatchPerCenter * trainingCenters * ViewsPerCell(config, config.Steps);

    /// <summary>Views of one cell over the first <paramref name="steps"/> steps, as its algorithm counts them.</summary>
    public static long ViewsPerCell(AlgorithmConfig config, int steps) =>
        AlgorithmRegistry.Find(config.Algorithm).ViewsOverSteps(config, steps);

    /// <summary>A metric row's ImagesPerSecond (cells per second, averaged over steps 0 to <paramref name="step"/>) as views per second.</summary>
    public static double ViewsPerSecond(AlgorithmConfig config, int step, double imagesPerSecond) =>
        imagesPerSecond * ViewsPerCell(config, step + 1) / (step + 1);

    static (double? ViewsPerSecond, string Basis) SpeedFor(string backbone, int imageSize, IReadOnlyList<SpeedSample> samples, string device)
    {
        var comparable = samples.Where(s => s.Backbone == backbone).ToList();
        if (comparable.Count == 0) return (null, $"no run with {backbone} on {device} has measured its speed yet");
        var exact = comparable.Where(s => s.ImageSize == imageSize).ToList();
        if (exact.Count > 0)
        {
            double median = Median(exact.Select(s => s.ViewsPerSecond));
            return (median, $"median of {Runs(exact.Count)} with {backbone} at {imageSize} px on {device}: {median:0.#} views/s");
        }
        // The nearest size measured; a tie goes to the larger size, the slower and so the safer guess.
        int nearest = comparable.Select(s => s.ImageSize).OrderBy(s => Math.Abs(s - imageSize)).ThenByDescending(s => s).First();
        var near = comparable.Where(s => s.ImageSize == nearest).ToList();
        double measured = Median(near.Select(s => s.ViewsPerSecond));
        double scaled = measured * nearest * nearest / ((double)imageSize * imageSize);
        return (scaled, $"no run at {imageSize} px: median of {Runs(near.Count)} with {backbone} at {nearest} px on {device} ({measured:0.#} views/s), "
            + $"scaled by pixel count to {scaled:0.#} views/s");
    }

    static string Runs(int n) => n == 1 ? "1 run" : $"{n} runs";

    static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
