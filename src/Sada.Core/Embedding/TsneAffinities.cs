using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Embedding;

/// <summary>
/// The joint probabilities P of t-SNE as a symmetric sparse matrix in coordinate form (float64, sums to 1):
/// Gaussian conditionals over the 3·perplexity nearest neighbours, each bandwidth found by binary search so
/// the row's perplexity matches, then P = (P + Pᵀ) / sum, as scikit-learn does for Barnes-Hut.
/// </summary>
internal sealed class TsneAffinities : IDisposable
{
    public Tensor Rows { get; }
    public Tensor Cols { get; }
    public Tensor Values { get; }
    public long Count { get; }
    /// <summary>Σ P log P, the constant part of KL(P‖Q).</summary>
    public double NegativeEntropy { get; }

    TsneAffinities(Tensor rows, Tensor cols, Tensor values, long count)
    {
        Rows = rows; Cols = cols; Values = values; Count = count;
        using var scope = NewDisposeScope();
        NegativeEntropy = (values * values.log()).sum().item<double>();
    }

    const double MinConditional = 1e-12;

    public static int NeighbourCount(long n, double perplexity) => (int)Math.Min(n - 1, (long)(3 * perplexity + 1));

    public static TsneAffinities Compute(Tensor features, double perplexity, int chunkRows = 1024)
    {
        long n = features.shape[0];
        if (perplexity >= n) throw new ArgumentException($"Perplexity ({perplexity}) must be smaller than the number of points ({n}).");
        int k = NeighbourCount(n, perplexity);
        using var scope = NewDisposeScope();
        var (sqDistances, neighbours) = NearestNeighbours(features, k, chunkRows);
        var conditional = ConditionalProbabilities(sqDistances, perplexity);

        var rows = arange(n, ScalarType.Int64).unsqueeze(1).expand(n, k).reshape(-1);
        var cols = neighbours.reshape(-1);
        var values = conditional.reshape(-1);
        // Neighbours beyond a tight cluster get P(j|i) that underflow to zero or to denormals, which are harmless to
        // the KL but slow every multiply they enter (measured: 10x on the attraction); below 1e-12 of a row they go.
        var kept = (values > MinConditional).nonzero().squeeze(1);
        rows = rows.index_select(0, kept);
        cols = cols.index_select(0, kept);
        values = values.index_select(0, kept);
        // P + Pᵀ: both directions in one list, duplicates summed by their flat index i·N+j (sorted, so rows ascend).
        var keys = cat(new[] { rows * n + cols, cols * n + rows });
        var (unique, inverse, _) = torch.unique(keys, sorted: true, return_inverse: true);
        var p = zeros(unique.shape[0], ScalarType.Float64).index_add_(0, inverse!, cat(new[] { values, values }), 1.0);
        var ij = stack(new[] { unique.div(n, rounding_mode: RoundingMode.floor), unique.remainder(n) });
        p = p / p.sum().clamp_min(double.Epsilon);
        return new TsneAffinities(
            ij[0].contiguous().MoveToOuterDisposeScope(),
            ij[1].contiguous().MoveToOuterDisposeScope(),
            p.contiguous().MoveToOuterDisposeScope(),
            p.shape[0]);
    }

    /// <summary>Squared Euclidean distances (float64) and indices of the k nearest other points, by rows in chunks so
    /// the N×N distance matrix never exists at once.</summary>
    internal static (Tensor SqDistances, Tensor Indices) NearestNeighbours(Tensor features, int k, int chunkRows)
    {
        long n = features.shape[0];
        var x = features.to(ScalarType.Float32).contiguous();
        var distanceChunks = new List<Tensor>();
        var indexChunks = new List<Tensor>();
        for (long start = 0; start < n; start += chunkRows)
        {
            using var scope = NewDisposeScope();
            long rows = Math.Min(chunkRows, n - start);
            var d = cdist(x.narrow(0, start, rows), x).pow(2);
            d.diagonal(start).fill_(float.PositiveInfinity); // a point is not its own neighbour
            var (values, indices) = d.topk(k, dim: 1, largest: false, sorted: true);
            distanceChunks.Add(values.to(ScalarType.Float64).clamp_min(0).MoveToOuterDisposeScope());
            indexChunks.Add(indices.MoveToOuterDisposeScope());
        }
        return (cat(distanceChunks, 0), cat(indexChunks, 0));
    }

    /// <summary>P(j|i) ∝ exp(-β_i d_ij) over each row's neighbours, with β_i found by bisection so the row's entropy is
    /// log(perplexity), all rows at once. Distances are shifted by the row minimum first: P is unchanged, nothing underflows.</summary>
    internal static Tensor ConditionalProbabilities(Tensor sqDistances, double perplexity, double tolerance = 1e-5, int steps = 100)
    {
        using var scope = NewDisposeScope();
        var d = sqDistances.to(ScalarType.Float64);
        d = d - d.min(1, keepdim: true).values;
        long n = d.shape[0];
        double target = Math.Log(perplexity);
        var beta = ones(n, 1, ScalarType.Float64);
        var lo = full(n, 1, double.NegativeInfinity, ScalarType.Float64);
        var hi = full(n, 1, double.PositiveInfinity, ScalarType.Float64);
        Tensor p = d;
        for (int step = 0; step < steps; step++)
        {
            p = (-d * beta).exp();
            var sum = p.sum(1, keepdim: true);
            var entropy = sum.log() + beta * (d * p).sum(1, keepdim: true) / sum;
            var diff = entropy - target;
            var pending = diff.abs() > tolerance;
            if (!pending.any().item<bool>()) break;
            // Too flat (entropy too high): sharpen, β up; else β down. Double or halve until bracketed, then bisect.
            var up = pending & (diff > 0);
            var down = pending & (diff <= 0);
            lo = where(up, beta, lo);
            hi = where(down, beta, hi);
            var raised = where(hi.isinf(), beta * 2, (beta + hi) / 2);
            var lowered = where(lo.isinf(), beta / 2, (beta + lo) / 2);
            beta = where(up, raised, where(down, lowered, beta));
        }
        p = (-d * beta).exp();
        return (p / p.sum(1, keepdim: true)).MoveToOuterDisposeScope();
    }

    int[]? _rowStarts, _columns;
    double[]? _values;

    /// <summary>P in compressed-row form as managed arrays (entries are sorted by row), for the Barnes-Hut path.</summary>
    public (int[] RowStarts, int[] Columns, double[] Values) Csr(long n)
    {
        if (_rowStarts is null)
        {
            var rows = Rows.data<long>().ToArray();
            _columns = Cols.data<long>().ToArray().Select(c => (int)c).ToArray();
            _values = Values.data<double>().ToArray();
            _rowStarts = new int[n + 1];
            foreach (var r in rows) _rowStarts[r + 1]++;
            for (long i = 0; i < n; i++) _rowStarts[i + 1] += _rowStarts[i];
        }
        return (_rowStarts, _columns!, _values!);
    }

    public void Dispose()
    {
        Rows.Dispose(); Cols.Dispose(); Values.Dispose();
    }
}
