using Sada.Core.Algorithms;
using Sada.Core.Imaging;
using Sada.Core.Training;
using static TorchSharp.torch;

namespace Sada.Core.Stain;

/// <summary>
/// One cell re-rendered in the stains of other centers, as SBA step 4 renders it (docs/SADA-METHOD.md): the source
/// and one image per target center go through the same RGB to OD, SNMF and transfer calls as <see cref="StainAugmenter"/>,
/// with the target fixed (the center's image nearest its fingerprint) instead of drawn at random from a stain cluster.
/// No ColorJitter: the preview shows the stain alone.
/// </summary>
public static class StainTransferPreview
{
    /// <summary>
    /// <paramref name="source"/> transferred into the stains of each of <paramref name="targets"/>, at
    /// <paramref name="side"/> x <paramref name="side"/> px (all images are resized to it first, as training does): one
    /// RGB image per target, in order.
    /// </summary>
    public static IReadOnlyList<DecodedImage> Transfer(DecodedImage source, IReadOnlyList<DecodedImage> targets, int side, AlgorithmConfig? config = null)
    {
        if (targets.Count == 0) return [];
        if (side < CellImageDecoder.MinSide) throw new ArgumentOutOfRangeException(nameof(side), side, $"the preview side must be at least {CellImageDecoder.MinSide} px");
        config ??= new AlgorithmConfig();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int m = targets.Count, n = m + 1;
        var rgb = CellTransforms.EvalBatch([source, .. targets], side).contiguous();              // (n, 3, S, S)
        var od = OpticalDensity.FromRgb(rgb).flatten(2);                                         // (n, 3, P)
        using var stains = Snmf.Separate(od, Snmf.DefaultStains, config.SnmfIterations, config.SnmfLambda);
        // Row 0 sends the source to every target; the targets' own rows are needed only because the transfer
        // works on whole batches, and send each target to the same list (their results are dropped).
        var pairs = new long[n * m];
        for (int s = 0; s < n; s++)
            for (int j = 0; j < m; j++) pairs[s * m + j] = j + 1;
        Tensor views;
        // The same dispatch as StainAugmenter: the fused CPU kernel when it applies, the torch ops otherwise.
        if (CpuKernels.Fusable(rgb) && stains.Stains == 2)
        {
            views = empty(new long[] { n, m, 3, side, side });
            var q99 = DomainTransfer.ConcentrationScale(stains.H).data<float>().ToArray();
            PixelKernels.TransferRgb(stains, pairs, q99, views, first: 0);
        }
        else
            views = DomainTransfer.TransferRgb(stains, tensor(pairs, new long[] { n, m })).view(n, m, 3, side, side);
        var transferred = views[0].cpu();                                                         // (m, 3, S, S)
        return Enumerable.Range(0, m).Select(j => ToImage(transferred[j], side)).ToList();
    }

    /// <summary>
    /// Which of <paramref name="candidates"/> stands for a center: the one whose own SNMF descriptor (flattened W, then
    /// B, at the fingerprint's side) lies nearest the center's <paramref name="fingerprint"/>.
    /// </summary>
    public static int Representative(IReadOnlyList<DecodedImage> candidates, StainFingerprint fingerprint)
    {
        if (candidates.Count == 0) throw new ArgumentException("no candidate image", nameof(candidates));
        var distances = Descriptors(candidates).Select(d => Distance(d, fingerprint.Descriptor())).ToList();
        return distances.IndexOf(distances.Min());
    }

    /// <summary>Each image's stain descriptor, as <see cref="StainFingerprint.Descriptor"/> lays it out, from the method's SNMF at <see cref="StainFingerprint.Side"/> px.</summary>
    public static IReadOnlyList<double[]> Descriptors(IReadOnlyList<DecodedImage> images)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var rgb = CellTransforms.EvalBatch(images, StainFingerprint.Side);
        using var stains = Snmf.Separate(OpticalDensity.FromRgb(rgb).flatten(2));
        using var descriptors = stains.Descriptors();
        var flat = descriptors.to(float64).data<double>().ToArray();
        int width = (int)descriptors.shape[1];
        return Enumerable.Range(0, images.Count).Select(i => flat.AsSpan(i * width, width).ToArray()).ToList();
    }

    /// <summary>Euclidean distance between a descriptor and a fingerprint's, as <see cref="StainFingerprint.Distance"/> measures two fingerprints.</summary>
    public static double Distance(double[] descriptor, StainFingerprint fingerprint) => Distance(descriptor, fingerprint.Descriptor());

    static double Distance(double[] x, double[] y)
    {
        if (x.Length != y.Length) throw new ArgumentException("descriptors with different numbers of stains");
        return Math.Sqrt(x.Zip(y, (p, q) => (p - q) * (p - q)).Sum());
    }

    /// <summary>(3, S, S) floats in [0, 1] to interleaved RGB bytes.</summary>
    static DecodedImage ToImage(Tensor chw, int side)
    {
        var planes = chw.contiguous().data<float>().ToArray();
        int p = side * side;
        var rgb = new byte[3 * p];
        for (int i = 0; i < p; i++)
            for (int c = 0; c < 3; c++)
                rgb[3 * i + c] = (byte)Math.Round(Math.Clamp(planes[c * p + i], 0f, 1f) * 255f);
        return new DecodedImage(side, side, rgb);
    }
}
