using static TorchSharp.torch;

namespace Sada.Core.Stain;

/// <summary>
/// Sparse non-negative matrix factorisation of optical density into stains, every image of the batch at once
/// (docs/SADA-METHOD.md, SBA step 2): X - B ≈ W H with W ≥ 0 unit-norm columns and H ≥ 0 sparse.
/// </summary>
public static class Snmf
{
    public const int DefaultStains = 2;
    public const int DefaultIterations = 10;
    public const double DefaultLambda = 1e-4;
    public const double Eps = 1e-6;
    /// <summary>The background is the 1% quantile of each channel.</summary>
    public const double BackgroundQuantile = 0.01;

    /// <param name="od">(N, 3, P) optical density (or (N, 3, H, W), flattened here).</param>
    /// <param name="fused">Use the fused CPU kernel when it applies (two stains, float32 on the CPU); false forces the torch ops.</param>
    public static StainSeparation Separate(Tensor od, int stains = DefaultStains, int iterations = DefaultIterations,
        double lambda = DefaultLambda, bool fused = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stains, 1);
        using var scope = NewDisposeScope();
        var X = od.dim() == 4 ? od.flatten(2) : od;
        if (X.dim() != 3 || X.shape[1] != 3) throw new ArgumentException($"expected (N, 3, P) optical density, got [{string.Join(", ", od.shape)}]", nameof(od));
        X = X.contiguous();
        long n = X.shape[0], p = X.shape[2];

        // The background (1%) and W's initial columns (i/r) in one call: on the CPU they share each row's copy.
        var levels = Quantile.Levels(X, [BackgroundQuantile, .. Enumerable.Range(1, stains).Select(i => i / (double)stains)], fused);
        var B = levels.narrow(2, 0, 1).contiguous();                                    // (N, 3, 1)
        var W = levels.narrow(2, 1, stains).contiguous();                               // (N, 3, r)
        NormalizeColumns(W);
        if (fused && stains == 2 && CpuKernels.Fusable(X))
        {
            // CPU: one SIMD pass per iteration (SnmfKernel), same updates as below.
            var h = empty(n, stains, p, dtype: X.dtype);
            SnmfKernel.Run(X, B.contiguous(), W, h, iterations, lambda, Eps);
            return new StainSeparation(W.MoveToOuterDisposeScope(), h.MoveToOuterDisposeScope(), B.MoveToOuterDisposeScope());
        }

        var H = ones(n, stains, p, dtype: X.dtype, device: X.device);
        var V = X - B;

        for (int it = 0; it < iterations; it++)
        {
            using var step = NewDisposeScope();
            // W <- W * (V H^T) / (W H H^T + eps), then unit columns. Skinny contractions over P: einsum beats bmm on a transposed H.
            var vht = einsum("ncp,nkp->nck", V, H);                                     // (N, 3, r)
            var hht = einsum("nkp,njp->nkj", H, H);                                     // (N, r, r)
            var wDenominator = W.bmm(hht).add_(Eps);                                    // before W changes in place
            W.mul_(vht).div_(wDenominator);
            NormalizeColumns(W);

            // The method's two H lines, a = H / (W^T W H + eps); H <- H (W^T V) / (W^T W H + eps); H <- max(H - lambda a, 0),
            // fold (H ≥ 0) into one: H <- H * max(W^T V - lambda, 0) / (W^T W H + eps), with the old H on both sides.
            var wt = W.transpose(1, 2);                                                 // (N, r, 3)
            var numerator = wt.bmm(V).sub_(lambda).clamp_min_(0);                      // (N, r, P)
            var denominator = wt.bmm(W).bmm(H).add_(Eps);                              // (N, r, P)
            H.mul_(numerator).div_(denominator);
        }
        return new StainSeparation(W.MoveToOuterDisposeScope(), H.MoveToOuterDisposeScope(), B.MoveToOuterDisposeScope());
    }

    /// <summary>Each column of (N, 3, r) to unit L2 norm, in place.</summary>
    static void NormalizeColumns(Tensor w)
    {
        using var norm = w.norm(1, keepdim: true);
        w.div_(norm);
    }
}
