using System.Diagnostics;
using Sada.Core.Embedding;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Benchmarks;

public sealed record TsneBenchmarkOptions
{
    public int Count { get; init; } = 1500;
    public int Dimensions { get; init; } = 512;
    public int Clusters { get; init; } = 10;
    public int Iterations { get; init; } = 1000;
    public int Seed { get; init; }
    /// <summary>Runs of the Barnes-Hut method (the exact reference runs once); the table gives the best and the median time.</summary>
    public int Repeats { get; init; } = 1;
    /// <summary>Also run the exact-gradient reference (O(N²) per iteration: minutes at 5,000 points).</summary>
    public bool Exact { get; init; } = true;
}

/// <summary>One line of the table: a method's runs on one data set.</summary>
public sealed record TsneBenchmarkRow(
    int Count, TsneMethod Method, int Runs, double BestSeconds, double MedianSeconds, double BestCpuSeconds, double Kl, int Iterations,
    double ClusterAccuracy, long ResidentBeforeBytes, long ResidentAfterBytes);

/// <summary>
/// t-SNE on planted clusters in high dimension, the stand-in for backbone features: times each method, reports the
/// exact KL of its final embedding and the resident memory around the runs (flat across runs means no leak).
/// </summary>
public static class TsneBenchmark
{
    /// <summary>Gaussian clusters: centers N(0, 1) in D dimensions, points at distance ~1 around them.</summary>
    public static (Tensor Features, int[] Labels) ClusteredPoints(int count, int dimensions, int clusters, int seed)
    {
        var generator = new Generator((ulong)seed);
        var labels = Enumerable.Range(0, count).Select(i => i % clusters).ToArray();
        using var scope = NewDisposeScope();
        var centers = randn(new long[] { clusters, dimensions }, generator: generator);
        var noise = randn(new long[] { count, dimensions }, generator: generator) / Math.Sqrt(dimensions);
        var features = centers.index_select(0, tensor(labels.Select(l => (long)l).ToArray())) + noise;
        return (features.MoveToOuterDisposeScope(), labels);
    }

    public static IReadOnlyList<TsneBenchmarkRow> Run(TsneBenchmarkOptions options, Action<string>? progress = null)
    {
        var (features, labels) = ClusteredPoints(options.Count, options.Dimensions, options.Clusters, options.Seed);
        using (features)
        {
            var methods = options.Exact ? new[] { TsneMethod.BarnesHut, TsneMethod.Exact } : new[] { TsneMethod.BarnesHut };
            var rows = new List<TsneBenchmarkRow>();
            foreach (var method in methods)
            {
                var tsne = new Tsne(new TsneOptions { Method = method, Iterations = options.Iterations, Seed = options.Seed });
                long before = ProcessMemory.ResidentBytes();
                var results = new List<TsneResult>();
                var cpu = new List<double>();
                // The exact reference is for quality, not speed: once is enough.
                int repeats = method == TsneMethod.Exact ? 1 : options.Repeats;
                for (int r = 0; r < repeats; r++)
                {
                    // CPU time (all threads) next to wall time: on a shared machine it moves less with the other load.
                    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                    results.Add(tsne.Fit(features));
                    cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds);
                    progress?.Invoke($"{method} run {r + 1}: {results[^1].Elapsed.TotalSeconds:F2} s wall, {cpu[^1]:F2} s CPU, KL {results[^1].KlDivergence:F4}, resident {ProcessMemory.ResidentBytes() / 1048576} MiB, live tensors {DisposeScopeManager.Statistics.ThreadTotalLiveCount}, managed heap {GC.GetTotalMemory(true) / 1048576} MiB");
                }
                long after = ProcessMemory.ResidentBytes();
                var seconds = results.Select(x => x.Elapsed.TotalSeconds).Order().ToArray();
                var last = results[^1];
                rows.Add(new TsneBenchmarkRow(options.Count, method, results.Count, seconds[0], Median(seconds), cpu.Min(), last.KlDivergence,
                    last.Iterations, DomainMixing.KnnAccuracy(last.Points, labels).Accuracy, before, after));
            }
            return rows;
        }
    }

    static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;

}
