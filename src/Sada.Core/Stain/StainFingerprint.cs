using System.Text.Json;
using Sada.Core.Imaging;
using Sada.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Stain;

/// <summary>
/// A center's stain fingerprint: the elementwise median, over a sample of its images, of the SNMF stain matrix
/// W (3 x 2, one optical-density direction per stain, renormalised) and background B (3), from the method's own SNMF.
/// Its descriptor is the one SADA's stain clustering uses (flattened W, then B), so the distance between two
/// fingerprints says how far apart two centers sit in the space the augmentation clusters in.
/// </summary>
public sealed record StainFingerprint(double[][] Stains, double[] Background, int Images)
{
    /// <summary>Images per center the fingerprint is computed from (a seeded sample when there are more).</summary>
    public const int SampleSize = 64;

    /// <summary>Side the sample is resized to before separation (SNMF's result does not depend on size).</summary>
    public const int Side = 96;

    /// <summary>Flattened W row by row (3 channels x r stains), then B: SADA's stain-clustering descriptor.</summary>
    public double[] Descriptor()
    {
        var d = new List<double>();
        for (int c = 0; c < 3; c++)
            for (int s = 0; s < Stains.Length; s++) d.Add(Stains[s][c]);
        d.AddRange(Background);
        return d.ToArray();
    }

    /// <summary>Euclidean distance between descriptors.</summary>
    public static double Distance(StainFingerprint a, StainFingerprint b)
    {
        var x = a.Descriptor();
        var y = b.Descriptor();
        if (x.Length != y.Length) throw new ArgumentException("fingerprints with different numbers of stains");
        return Math.Sqrt(x.Zip(y, (p, q) => (p - q) * (p - q)).Sum());
    }

    /// <summary>The colour (RGB in [0, 1]) a unit concentration of stain <paramref name="index"/> gives on white: exp(-w).</summary>
    public double[] StainColor(int index) => Stains[index].Select(w => Math.Exp(-w)).ToArray();

    /// <summary>The background's colour, exp(-B).</summary>
    public double[] BackgroundColor() => Background.Select(b => Math.Exp(-b)).ToArray();

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The JSON stored with a center; a non-finite value is a bug upstream, refused here rather than written.</summary>
    public string ToJson()
    {
        if (!Descriptor().All(double.IsFinite))
            throw new InvalidOperationException($"a stain fingerprint with a non-finite value cannot be stored: [{string.Join(", ", Descriptor())}]");
        return JsonSerializer.Serialize(this, Json);
    }

    public static StainFingerprint? FromJson(string? json) =>
        string.IsNullOrWhiteSpace(json) ? null : JsonSerializer.Deserialize<StainFingerprint>(json, Json);

    /// <summary>Which of <paramref name="count"/> images to sample: all when few, else a seeded choice of <see cref="SampleSize"/>.</summary>
    public static HashSet<int> SampleIndices(int count, int seed)
    {
        var order = Enumerable.Range(0, count).ToArray();
        new Random(seed).Shuffle(order);
        return order.Take(SampleSize).ToHashSet();
    }

    /// <summary>
    /// Separates the stains of every image (batched) and takes the elementwise medians; throws when no image has stain in it
    /// (see <see cref="TryCompute"/>).
    /// </summary>
    public static StainFingerprint Compute(IReadOnlyList<DecodedImage> images, int stains = Snmf.DefaultStains)
    {
        if (images.Count == 0) throw new ArgumentException("A stain fingerprint needs at least one image.");
        return TryCompute(images, out _, stains)
            ?? throw new ArgumentException($"No stain fingerprint: all {images.Count} image(s) are uniform (one colour), so they hold no stain to separate.");
    }

    /// <summary>
    /// The fingerprint of the images whose separation is finite. A uniform image (all black, all white, any one colour)
    /// has nothing above its background, so its stain directions are 0/0: it is left out and its index listed in
    /// <paramref name="leftOut"/>, and the median is taken over the others. Null when every image is left out.
    /// </summary>
    public static StainFingerprint? TryCompute(IReadOnlyList<DecodedImage> images, out IReadOnlyList<int> leftOut, int stains = Snmf.DefaultStains)
    {
        leftOut = [];
        if (images.Count == 0) return null;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var rgb = CellTransforms.EvalBatch(images, Side);
        var od = OpticalDensity.FromRgb(rgb).reshape(images.Count, 3, Side * Side);
        using var separation = Snmf.Separate(od, stains);
        var finite = separation.W.isfinite().flatten(1).all(1).logical_and(separation.B.isfinite().flatten(1).all(1)).data<bool>().ToArray();
        var kept = Enumerable.Range(0, images.Count).Where(i => finite[i]).ToArray();
        leftOut = Enumerable.Range(0, images.Count).Where(i => !finite[i]).ToArray();
        if (kept.Length == 0) return null;
        var index = tensor(kept.Select(i => (long)i).ToArray());
        var W = separation.W.index_select(0, index);
        var B = separation.B.index_select(0, index);
        // Median over images (linear interpolation between the middle two for an even count).
        var w = Quantile.Of(W.permute(1, 2, 0).contiguous(), 0.5).to(float64).data<double>().ToArray(); // (3, r) row-major
        var b = Quantile.Of(B.permute(1, 2, 0).contiguous(), 0.5).to(float64).data<double>().ToArray(); // (3, 1)
        // The elementwise median of unit vectors is not unit; a stain is a direction, so it is normalised again.
        var vectors = Enumerable.Range(0, stains).Select(s =>
        {
            var v = Enumerable.Range(0, 3).Select(c => w[c * stains + s]).ToArray();
            var norm = Math.Sqrt(v.Sum(x => x * x));
            return norm > 0 ? v.Select(x => x / norm).ToArray() : v;
        }).ToArray();
        return new StainFingerprint(vectors, b, kept.Length);
    }
}
