using static TorchSharp.torch;

namespace Sada.Core.Benchmarks;

/// <summary>
/// Stain-like test images made in code: per cell a nucleus (mostly stain 1) and a cytoplasm (mostly stain 2) as
/// smooth concentration fields, rendered through Beer-Lambert with one of three stain matrices, one per "center".
/// Enough structure for SNMF and k-means to do real work; no files needed.
/// </summary>
public static class SyntheticStainedCells
{
    /// <summary>Stain colours (optical density per unit concentration, R G B) of each made-up center.</summary>
    static readonly float[][] CenterStains =
    [
        [0.65f, 0.70f, 0.29f, 0.07f, 0.99f, 0.11f],   // haematoxylin-eosin-like
        [0.45f, 0.80f, 0.40f, 0.15f, 0.75f, 0.55f],   // Giemsa-like
        [0.80f, 0.55f, 0.25f, 0.25f, 0.85f, 0.45f],   // May-Grunwald-like
    ];

    public static int Centers => CenterStains.Length;

    /// <summary>(cells, 3, size, size) RGB in [0, 1]; cell i comes from center i * centers / cells.</summary>
    public static Tensor Generate(int cells, int size, Generator? generator = null)
    {
        using var scope = NewDisposeScope();
        var axis = linspace(-1, 1, size);
        var yy = axis.view(1, size, 1);
        var xx = axis.view(1, 1, size);
        var centre = rand(new long[] { cells, 2, 1, 1 }, generator: generator).mul_(0.4f).sub_(0.2f);
        var radius = rand(new long[] { cells, 1, 1 }, generator: generator).mul_(0.2f).add_(0.25f);
        var dist = (xx - centre.select(1, 0)).square().add((yy - centre.select(1, 1)).square()).sqrt_();   // (cells, size, size)
        var nucleus = sigmoid((radius - dist).mul_(30f));
        var cytoplasm = sigmoid((radius.mul(1.9f) - dist).mul_(20f)).sub_(nucleus).clamp_min_(0);
        var noise = rand(new long[] { cells, 2, size, size }, generator: generator).mul_(0.08f);
        var concentration = stack([nucleus.mul(1.4f), cytoplasm.mul(0.6f).add_(nucleus.mul(0.1f))], 1).add_(noise); // (cells, 2, size, size)
        var images = empty(cells, 3, size, size);
        for (int c = 0; c < Centers; c++)
        {
            int from = c * cells / Centers, to = (c + 1) * cells / Centers;
            if (to <= from) continue;
            var w = tensor(CenterStains[c], [2, 3]).t();                                    // (3, 2)
            var od = einsum("ck,nkhw->nchw", w, concentration.narrow(0, from, to - from));
            images.narrow(0, from, to - from).copy_(od.add_(0.02f).neg_().exp_());
        }
        return images.MoveToOuterDisposeScope();
    }
}
