using static TorchSharp.torch;

namespace Sada.Core.Stain;

/// <summary>
/// One image's stains, batched: OD ≈ W H + B.
/// </summary>
/// <param name="W">(N, 3, r) stain colour matrix, unit-norm columns.</param>
/// <param name="H">(N, r, P) stain concentrations per pixel, non-negative.</param>
/// <param name="B">(N, 3, 1) background optical density (1% quantile per channel).</param>
public sealed record StainSeparation(Tensor W, Tensor H, Tensor B) : IDisposable
{
    public long Images => W.shape[0];
    public long Stains => W.shape[2];

    /// <summary>k-means descriptor per image: flattened W (3r values, row-major) then B (3 values); (N, 3r + 3).</summary>
    public Tensor Descriptors()
    {
        using var scope = NewDisposeScope();
        return cat([W.flatten(1), B.flatten(1)], 1).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        W.Dispose();
        H.Dispose();
        B.Dispose();
    }
}
