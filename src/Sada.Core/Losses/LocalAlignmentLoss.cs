using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Losses;

/// <summary>
/// SADA's local-alignment loss: the LA head's per-pixel descriptors of every stain-transferred view should equal
/// the original's. LA = (1/(k-1)) * sum_{i=1..k-1} MSE(P[originals], P[views i]), MSE the mean over all elements.
/// P is L2-normalised over channels here too: the authors' module does so (its golden "projected" input is not unit
/// length), and on the head's output, already unit length, it changes nothing.
/// </summary>
public static class LocalAlignmentLoss
{
    /// <param name="projected">LA head output (N*k, D, h, w), rows grouped per cell: [orig0, view0_1 .. view0_(k-1), orig1, ...].</param>
    /// <param name="k">Views per cell, the original included.</param>
    /// <returns>A scalar; zero when k = 1 (no transferred view to align).</returns>
    public static Tensor Compute(Tensor projected, int k)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), "k must be at least 1");
        if (projected.shape[0] % k != 0)
            throw new ArgumentException($"{projected.shape[0]} rows are not a whole number of cells of {k} views", nameof(projected));
        if (k == 1) return zeros([], projected.dtype, projected.device);

        using var scope = NewDisposeScope();
        var shape = projected.shape.ToArray();
        shape[0] /= k;
        var grouped = nn.functional.normalize(projected, p: 2, dim: 1).reshape([shape[0], k, .. shape[1..]]);
        var originals = grouped.select(1, 0);
        var total = zeros([], projected.dtype, projected.device);
        for (var i = 1; i < k; i++)
            total = total + nn.functional.mse_loss(originals, grouped.select(1, i));
        return (total / (k - 1)).MoveToOuterDisposeScope();
    }
}
