using static TorchSharp.torch;

namespace Sada.Core.Stain;

/// <summary>
/// Quantiles along the last dimension with torch.quantile's default linear interpolation, from one or two
/// order statistics found by selection (kthvalue) instead of a full sort: same numbers, several times less work.
/// </summary>
public static class Quantile
{
    /// <summary>The q-quantile of <paramref name="x"/> along its last dimension.</summary>
    /// <param name="fused">CPU float32: selection on managed copies of the rows, in parallel (<see cref="OrderStatistics"/>); false forces the torch ops.</param>
    public static Tensor Of(Tensor x, double q, bool keepdim = false, bool fused = true)
    {
        CheckLevel(q);
        long n = x.shape[^1];
        if (n == 0) throw new ArgumentException("cannot take a quantile of an empty dimension", nameof(x));
        using var scope = NewDisposeScope();
        if (fused && CpuKernels.Fusable(x))
        {
            var levels = Levels(x, [q]);
            return (keepdim ? levels : levels.squeeze(-1)).MoveToOuterDisposeScope();
        }
        var (lo, hi, weight) = Ranks(q, n);
        if (hi == lo || weight == 0f) return OrderStatistic(x, lo, n, keepdim).MoveToOuterDisposeScope();
        var (below, above) = Neighbours(x, lo, n);
        var result = Lerp(below, above, weight);
        return (keepdim ? result : result.squeeze(-1)).MoveToOuterDisposeScope();
    }

    /// <summary>Several quantiles of the last dimension at once, stacked in a new last dimension: (..., levels).</summary>
    public static Tensor Levels(Tensor x, double[] qs, bool fused = true)
    {
        foreach (var q in qs) CheckLevel(q);
        long n = x.shape[^1];
        if (!(fused && CpuKernels.Fusable(x)))
        {
            using var scope = NewDisposeScope();
            return stack(qs.Select(q => Of(x, q, fused: false)).ToArray(), -1).MoveToOuterDisposeScope();
        }
        var ranks = qs.Select(q => Ranks(q, n)).ToArray();
        var pairs = OrderStatistics.Neighbours(x, ranks.Select(r => r.Lo).ToArray());
        var values = new float[pairs.Length / 2];
        for (int i = 0; i < values.Length; i++)
        {
            var (lo, hi, weight) = ranks[i % qs.Length];
            values[i] = hi == lo || weight == 0f ? pairs[2 * i] : Lerp(pairs[2 * i], pairs[2 * i + 1], weight);
        }
        return tensor(values, x.shape[..^1].Append(qs.Length).ToArray());
    }

    static void CheckLevel(double q)
    {
        if (q is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(q), q, "a quantile level is in [0, 1]");
    }

    static float Lerp(float start, float end, float weight) =>
        weight < 0.5f ? start + weight * (end - start) : end - (end - start) * (1f - weight);

    /// <summary>
    /// The lo-th and (lo+1)-th smallest along the last dimension, keepdim. Near either end (SNMF's 1%, the transfer's
    /// 99%) one partial top-k selection gives both; elsewhere one kthvalue gives the first and the second is the
    /// first itself when it repeats, else the smallest value above it (two cheap passes instead of a second selection).
    /// </summary>
    internal static (Tensor Below, Tensor Above) Neighbours(Tensor x, long lo, long n)
    {
        long fromTop = n - 1 - lo;  // rank of lo counted from the largest
        if (lo + 2 <= n / TopKShare)
        {
            var (values, indices) = x.topk((int)(lo + 2), dim: -1, largest: false, sorted: true);
            indices.Dispose();
            return (values.narrow(-1, lo, 1), values.narrow(-1, lo + 1, 1));
        }
        if (fromTop + 1 <= n / TopKShare)
        {
            var (values, indices) = x.topk((int)(fromTop + 1), dim: -1, largest: true, sorted: true);
            indices.Dispose();
            return (values.narrow(-1, fromTop, 1), values.narrow(-1, fromTop - 1, 1));
        }
        var below = OrderStatistic(x, lo, n, keepdim: true);
        var atOrBelow = x.le(below);
        var repeats = atOrBelow.sum(-1, keepdim: true).gt(lo + 1);
        var above = x.masked_fill(atOrBelow, float.PositiveInfinity).amin([-1], keepdim: true);
        return (below, where(repeats, below, above));
    }

    /// <summary>Top-k selection pays while k is at most this share of n (a heap that rejects most values at a glance).</summary>
    const long TopKShare = 64;

    /// <summary>
    /// The ranks torch.quantile interpolates between. It computes q * (n - 1) in the input's dtype (float32 here),
    /// so do we, or a level like 0.99 could land on a different pair of order statistics.
    /// </summary>
    internal static (long Lo, long Hi, float Weight) Ranks(double q, long n)
    {
        float rank = (float)q * (float)(n - 1);
        long lo = (long)rank;
        long hi = (long)MathF.Ceiling(rank);
        return (lo, Math.Min(hi, n - 1), rank - lo);
    }

    /// <summary>The i-th smallest (0-based) along the last dimension; min and max for the ends, being cheaper than selection.</summary>
    internal static Tensor OrderStatistic(Tensor x, long i, long n, bool keepdim)
    {
        if (i == 0) return x.amin([-1], keepdim);
        if (i == n - 1) return x.amax([-1], keepdim);
        var (values, indices) = x.kthvalue(i + 1, -1, keepdim);
        indices.Dispose();
        return values;
    }

    /// <summary>torch.lerp's two-sided formula, which torch.quantile uses, so the rounding matches too.</summary>
    static Tensor Lerp(Tensor start, Tensor end, float weight) =>
        weight < 0.5f ? start + (end - start).mul_(weight) : end - (end - start).mul_(1f - weight);
}
