using static TorchSharp.torch;

namespace Sada.Core.Stain;

/// <summary>
/// Quantiles along the last dimension with torch.quantile's default linear interpolation, from one or two
/// order statistics found by selection (kthvalue) instead of a full sort: same numbers, several times less work.
/// </summary>
public static class Quantile
{
    /// <summary>The q-quantile of <paramref name="x"/> along its last dimension.</summary>
    public static Tensor Of(Tensor x, double q, bool keepdim = false)
    {
        if (q is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(q), q, "a quantile level is in [0, 1]");
        long n = x.shape[^1];
        if (n == 0) throw new ArgumentException("cannot take a quantile of an empty dimension", nameof(x));
        var (lo, hi, weight) = Ranks(q, n);
        using var scope = NewDisposeScope();
        var below = OrderStatistic(x, lo, n, keepdim);
        if (hi == lo || weight == 0f) return below.MoveToOuterDisposeScope();
        var above = OrderStatistic(x, hi, n, keepdim);
        return Lerp(below, above, weight).MoveToOuterDisposeScope();
    }

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
