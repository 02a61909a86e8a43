using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Embedding;

/// <summary>Leave-one-out k-NN accuracy of a label on 2-D points, with the chance level to read it against.</summary>
public sealed record KnnScore(double Accuracy, double Chance, int K, int Count);

/// <summary>
/// How mixed the centers are in an embedding: the leave-one-out accuracy of a k-NN classifier that predicts each
/// point's center from its k nearest other points. Near chance means the centers are mixed (domain-invariant
/// features); near 1 means each center sits apart. The same classifier on cell classes measures class separability,
/// which a good method should keep high while the center score falls.
/// </summary>
public static class DomainMixing
{
    public static KnnScore CenterScore(float[] points, int[] centers, int k = 10) => KnnAccuracy(points, centers, k);

    public static KnnScore ClassSeparability(float[] points, int[] classes, int k = 10) => KnnAccuracy(points, classes, k);

    /// <param name="points">Row-major (x0, y0, x1, y1, ...).</param>
    /// <param name="labels">One label per point, any non-negative integers.</param>
    public static KnnScore KnnAccuracy(float[] points, int[] labels, int k = 10, int chunkRows = 1024)
    {
        int n = labels.Length;
        if (points.Length != 2 * n) throw new ArgumentException($"{points.Length / 2} points but {n} labels.");
        if (labels.Any(l => l < 0)) throw new ArgumentException("Labels must be non-negative.");
        if (n < 2) throw new ArgumentException("At least two points are needed.");
        k = Math.Min(k, n - 1);
        int classes = labels.Max() + 1;
        // Chance: always guessing the most frequent label.
        double chance = labels.GroupBy(l => l).Max(g => g.Count()) / (double)n;

        using var scope = NewDisposeScope();
        var y = tensor(points, new long[] { n, 2 }).to(ScalarType.Float64);
        var truth = tensor(labels.Select(l => (long)l).ToArray());
        // Ties in the vote go to the label of the nearer neighbours: rank-weighted votes with weights that sum below 1.
        var rankBonus = (arange(k, 0, -1, ScalarType.Float64) / (k * (k + 1.0))).unsqueeze(0);
        long correct = 0;
        for (int start = 0; start < n; start += chunkRows)
        {
            using var chunkScope = NewDisposeScope();
            int rows = Math.Min(chunkRows, n - start);
            var d = cdist(y.narrow(0, start, rows), y);
            d.diagonal(start).fill_(double.PositiveInfinity); // leave the point itself out
            var (_, nearest) = d.topk(k, dim: 1, largest: false, sorted: true);
            var neighbourLabels = truth.index_select(0, nearest.reshape(-1)).reshape(rows, k);
            var votes = zeros(rows, classes, ScalarType.Float64).scatter_add_(1, neighbourLabels, (rankBonus + 1).expand(rows, k));
            var predicted = votes.argmax(1);
            correct += (predicted == truth.narrow(0, start, rows)).sum().item<long>();
        }
        return new KnnScore(correct / (double)n, chance, k, n);
    }
}
