using static TorchSharp.torch;

namespace Sada.Core.Stain;

/// <summary>The stain clusters of a batch: which cluster each image fell in.</summary>
/// <param name="Labels">Cluster index per image, 0..k-1.</param>
/// <param name="Centroids">k rows of descriptor values.</param>
/// <param name="Inertia">Within-cluster sum of squared distances of the kept restart.</param>
/// <param name="DiscardedRestarts">Restarts thrown away because a cluster came out empty (NaN centroid).</param>
public sealed record StainClusters(int[] Labels, double[][] Centroids, double Inertia, int DiscardedRestarts)
{
    public int K => Centroids.Length;

    /// <summary>Image indices in each cluster.</summary>
    public int[][] Members()
    {
        var members = Enumerable.Range(0, K).Select(_ => new List<int>()).ToArray();
        for (int i = 0; i < Labels.Length; i++) members[Labels[i]].Add(i);
        return members.Select(m => m.ToArray()).ToArray();
    }
}

/// <summary>
/// k-means over per-image stain descriptors (docs/SADA-METHOD.md, SBA step 3): k random images as initial
/// centroids, Lloyd iterations until the centroids stop changing, several restarts keeping the lowest
/// within-cluster squared error. The data are tiny (N x 9), so this runs on managed arrays: thousands of
/// torch calls on 9-value rows would cost more in call overhead than the arithmetic.
/// </summary>
public static class StainKMeans
{
    public const int DefaultRestarts = 5;
    public const int DefaultMaxIterations = 100;
    /// <summary>Attempts allowed per requested restart before giving up on empty clusters.</summary>
    public const int AttemptsPerRestart = 20;

    /// <param name="descriptors">(N, D) descriptors, one row per image.</param>
    /// <param name="generator">Seeds the choice of initial centroids; reproducible when given.</param>
    /// <exception cref="InvalidOperationException">When no restart yields k non-empty clusters (for one, fewer distinct images than k).</exception>
    public static StainClusters Fit(Tensor descriptors, int k, int restarts = DefaultRestarts,
        int maxIterations = DefaultMaxIterations, Generator? generator = null)
    {
        if (descriptors.dim() != 2) throw new ArgumentException("descriptors must be (N, D)", nameof(descriptors));
        var rows = ToRows(descriptors);
        int n = rows.Length;
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be at least 1");
        if (n < k) throw new InvalidOperationException($"k-means needs at least k = {k} images, got {n}.");
        ArgumentOutOfRangeException.ThrowIfLessThan(restarts, 1);

        StainClusters? best = null;
        int discarded = 0, kept = 0, attempts = 0, maxAttempts = restarts * AttemptsPerRestart;
        while (kept < restarts)
        {
            if (attempts++ == maxAttempts)
                throw new InvalidOperationException(
                    $"k-means found no clustering with {k} non-empty clusters in {maxAttempts} attempts " +
                    $"({CountDistinct(rows)} distinct descriptors among {n} images).");
            var initial = RandomRows(n, k, generator);
            var (labels, centroids, inertia) = Lloyd(rows, initial.Select(i => (double[])rows[i].Clone()).ToArray(), maxIterations);
            if (centroids.Any(c => c.Any(double.IsNaN))) { discarded++; continue; }
            kept++;
            if (best is null || inertia < best.Inertia) best = new StainClusters(labels, centroids, inertia, 0);
        }
        return best! with { DiscardedRestarts = discarded };
    }

    /// <summary>Lloyd's iterations from the given centroids; an empty cluster's centroid becomes NaN (the mean of nothing), as in the released code.</summary>
    internal static (int[] Labels, double[][] Centroids, double Inertia) Lloyd(double[][] rows, double[][] centroids, int maxIterations)
    {
        int n = rows.Length, k = centroids.Length, d = rows[0].Length;
        var labels = new int[n];
        for (int it = 0; it < maxIterations; it++)
        {
            Assign(rows, centroids, labels);
            var next = new double[k][];
            var counts = new int[k];
            for (int j = 0; j < k; j++) next[j] = new double[d];
            for (int i = 0; i < n; i++)
            {
                counts[labels[i]]++;
                for (int c = 0; c < d; c++) next[labels[i]][c] += rows[i][c];
            }
            for (int j = 0; j < k; j++)
                for (int c = 0; c < d; c++) next[j][c] = counts[j] == 0 ? double.NaN : next[j][c] / counts[j];
            bool same = true;
            for (int j = 0; j < k && same; j++)
                for (int c = 0; c < d && same; c++) same = next[j][c].Equals(centroids[j][c]);
            centroids = next;
            if (same) break;
            if (counts.Contains(0)) break; // a NaN centroid can never be assigned again: the restart is lost
        }
        var inertia = Assign(rows, centroids, labels);
        return (labels, centroids, inertia);
    }

    /// <summary>Nearest centroid for each row (first on ties); returns the sum of squared distances.</summary>
    static double Assign(double[][] rows, double[][] centroids, int[] labels)
    {
        double total = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            double best = double.PositiveInfinity;
            int arg = 0;
            for (int j = 0; j < centroids.Length; j++)
            {
                double s = 0;
                for (int c = 0; c < rows[i].Length; c++) { var e = rows[i][c] - centroids[j][c]; s += e * e; }
                if (s < best) { best = s; arg = j; }
            }
            labels[i] = arg;
            total += best;
        }
        return total;
    }

    /// <summary>k distinct image indices drawn with the torch generator, so one seed drives the whole augmentation.</summary>
    static int[] RandomRows(int n, int k, Generator? generator)
    {
        using var perm = randperm(n, generator: generator);
        return perm.narrow(0, 0, k).data<long>().Select(x => (int)x).ToArray();
    }

    static double[][] ToRows(Tensor descriptors)
    {
        using var cpu = descriptors.detach().to(float64, CPU).contiguous();
        var flat = cpu.data<double>().ToArray();
        int n = (int)descriptors.shape[0], d = (int)descriptors.shape[1];
        return Enumerable.Range(0, n).Select(i => flat.AsSpan(i * d, d).ToArray()).ToArray();
    }

    /// <summary>Number of distinct rows of (N, D): at most this many non-empty clusters exist.</summary>
    public static int DistinctRows(Tensor descriptors) => CountDistinct(ToRows(descriptors));

    static int CountDistinct(double[][] rows) => rows.Select(r => string.Join(",", r)).Distinct().Count();
}
