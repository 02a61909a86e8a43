using static TorchSharp.torch;

namespace Sada.Core.Stain;

/// <summary>
/// torchvision's ColorJitter, with its own factors and order for every image of the batch: brightness
/// multiplies by U[max(0, 1 - b), 1 + b]; contrast blends with the mean of the image's grayscale; saturation
/// blends with the grayscale image; hue shifts H in HSV by U[-h, h]; each result clamped to [0, 1]; the four
/// in a random order per image. A parameter of 0 leaves its operation out, as torchvision does.
/// </summary>
public sealed class ColorJitter
{
    public enum Op { Brightness = 0, Contrast = 1, Saturation = 2, Hue = 3 }

    /// <summary>torchvision's rgb_to_grayscale weights (ITU-R 601-2 luma, 0.2989 as torchvision writes it).</summary>
    internal static readonly float[] GrayWeights = [0.2989f, 0.587f, 0.114f];

    public double Brightness { get; }
    public double Contrast { get; }
    public double Saturation { get; }
    public double Hue { get; }

    public ColorJitter(double brightness = 0.2, double contrast = 0.25, double saturation = 0.25, double hue = 0.15)
    {
        if (brightness < 0 || contrast < 0 || saturation < 0) throw new ArgumentOutOfRangeException(nameof(brightness), "jitter strengths must not be negative");
        if (hue is < 0 or > 0.5) throw new ArgumentOutOfRangeException(nameof(hue), hue, "hue must be in [0, 0.5]");
        (Brightness, Contrast, Saturation, Hue) = (brightness, contrast, saturation, hue);
    }

    /// <summary>Jittered copy of (N, 3, H, W) images in [0, 1].</summary>
    public Tensor Apply(Tensor images, Generator? generator = null)
    {
        var (factors, orders) = Sample(images.shape[0], generator);
        return Apply(images, factors, orders);
    }

    /// <summary>
    /// Jitters, in place, the images x[slots[i]] of a CPU float32 (M, 3, H, W) tensor (the augmenters' views, written
    /// where they will stay). Other tensors: use <see cref="Apply(Tensor, Generator?)"/>.
    /// </summary>
    internal void ApplyInPlace(Tensor x, int[] slots, Generator? generator = null)
    {
        if (!CpuKernels.Fusable(x)) throw new ArgumentException("in-place jitter needs a contiguous float32 CPU tensor", nameof(x));
        var (factors, orders) = Sample(slots.Length, generator);
        ColorJitterKernel.Apply_(x, factors, orders, [Brightness > 0, Contrast > 0, Saturation > 0, Hue > 0], slots);
    }

    /// <summary>Per image: the four factors (row-major (n, 4), <see cref="Op"/> order) and a uniformly random order of the ops.</summary>
    (float[] Factors, int[][] Orders) Sample(long n, Generator? generator)
    {
        float[] factors;
        int[][] orders;
        using (var u = rand(new long[] { n, 4 }, generator: generator))
        using (var keys = rand(new long[] { n, 4 }, generator: generator))
        using (var perm = keys.argsort(1))
        {
            factors = u.data<float>().ToArray();
            var p = perm.data<long>().ToArray();
            orders = Enumerable.Range(0, (int)n).Select(i => Enumerable.Range(0, 4).Select(j => (int)p[i * 4 + j]).ToArray()).ToArray();
        }
        double[] lo = [Math.Max(0, 1 - Brightness), Math.Max(0, 1 - Contrast), Math.Max(0, 1 - Saturation), -Hue];
        double[] hi = [1 + Brightness, 1 + Contrast, 1 + Saturation, Hue];
        for (int i = 0; i < factors.Length; i++) factors[i] = (float)(lo[i % 4] + factors[i] * (hi[i % 4] - lo[i % 4]));
        return (factors, orders);
    }

    /// <summary>
    /// Jitter with explicit factors: <paramref name="factors"/> is row-major (N, 4) in <see cref="Op"/> order,
    /// <paramref name="orders"/>[i] the sequence of ops for image i. Images sharing an order are jittered together,
    /// in place on contiguous slices of one sorted copy, so the work is four batched passes whatever N is.
    /// On the CPU (float32) the fused kernel runs instead unless <paramref name="fused"/> is false.
    /// </summary>
    internal Tensor Apply(Tensor images, float[] factors, int[][] orders, bool fused = true)
    {
        using var scope = NewDisposeScope();
        long n = images.shape[0];
        bool[] enabled = [Brightness > 0, Contrast > 0, Saturation > 0, Hue > 0];
        if (fused && CpuKernels.Fusable(images))
        {
            // CPU: every image in one SIMD pass per op, its own order, images in parallel.
            var copy = images.clone();
            ColorJitterKernel.Apply_(copy, factors, orders, enabled);
            return copy.MoveToOuterDisposeScope();
        }
        var code = orders.Select(o => o.Aggregate(0, (a, b) => a * 4 + b)).ToArray();
        var sorted = Enumerable.Range(0, (int)n).OrderBy(i => code[i]).ThenBy(i => i).ToArray();
        var index = tensor(sorted.Select(i => (long)i).ToArray(), device: images.device);
        var x = images.index_select(0, index);                                       // sorted working copy
        var f = tensor(sorted.SelectMany(i => factors.AsSpan(i * 4, 4).ToArray()).ToArray(), new long[] { n, 4 },
            dtype: images.dtype, device: images.device);
        for (int start = 0; start < n;)
        {
            int end = start;
            while (end < n && code[sorted[end]] == code[sorted[start]]) end++;
            using var group = NewDisposeScope();
            var xs = x.narrow(0, start, end - start);
            var fs = f.narrow(0, start, end - start);
            foreach (var op in orders[sorted[start]])
                if (enabled[op]) ApplyOp_((Op)op, xs, fs.select(1, op));
            start = end;
        }
        var result = empty_like(x);
        result.index_copy_(0, index, x);
        return result.MoveToOuterDisposeScope();
    }

    internal static void ApplyOp_(Op op, Tensor x, Tensor factor)
    {
        switch (op)
        {
            case Op.Brightness: Brightness_(x, factor); break;
            case Op.Contrast: Contrast_(x, factor); break;
            case Op.Saturation: Saturation_(x, factor); break;
            case Op.Hue: Hue_(x, factor); break;
        }
    }

    /// <summary>x <- clamp(f x, 0, 1); x (n, 3, H, W), f (n).</summary>
    internal static void Brightness_(Tensor x, Tensor factor)
    {
        using var scope = NewDisposeScope();
        x.mul_(factor.view(-1, 1, 1, 1)).clamp_(0, 1);
    }

    /// <summary>x <- clamp(f x + (1 - f) mean(gray(x)), 0, 1), the mean over the whole image.</summary>
    internal static void Contrast_(Tensor x, Tensor factor)
    {
        using var scope = NewDisposeScope();
        // The mean of the grayscale image is the grayscale of the channel means: one reduction, no gray image.
        var mean = x.mean([2, 3]).mul_(Gray(x)).sum(1);                              // (n)
        var f = factor.view(-1, 1, 1, 1);
        x.mul_(f).add_((1 - factor).mul_(mean).view(-1, 1, 1, 1)).clamp_(0, 1);
    }

    /// <summary>x <- clamp(f x + (1 - f) gray(x), 0, 1).</summary>
    internal static void Saturation_(Tensor x, Tensor factor)
    {
        using var scope = NewDisposeScope();
        var gray = Grayscale(x);                                                      // (n, 1, H, W)
        var f = factor.view(-1, 1, 1, 1);
        x.mul_(f).add_(gray.mul_(1 - f)).clamp_(0, 1);
    }

    /// <summary>Hue rotated by f (a fraction of the colour circle) through torchvision's RGB -> HSV -> RGB.</summary>
    internal static void Hue_(Tensor x, Tensor factor)
    {
        using var scope = NewDisposeScope();
        var (h, s, v) = ToHsv(x);
        h.add_(factor.view(-1, 1, 1)).remainder_(1.0);
        x.copy_(FromHsv(h, s, v)).clamp_(0, 1);
    }

    /// <summary>0.2989 R + 0.587 G + 0.114 B, (n, 1, H, W).</summary>
    internal static Tensor Grayscale(Tensor x) =>
        einsum("nchw,c->nhw", x, Gray(x)).unsqueeze(1);

    static Tensor Gray(Tensor like) => tensor(GrayWeights, dtype: like.dtype, device: like.device);

    /// <summary>torchvision's _rgb2hsv: (h, s, v) each (n, H, W), h in [0, 1).</summary>
    internal static (Tensor H, Tensor S, Tensor V) ToHsv(Tensor x)
    {
        var r = x.select(1, 0);
        var g = x.select(1, 1);
        var b = x.select(1, 2);
        var maxc = x.amax([1]);
        var minc = x.amin([1]);
        var cr = maxc - minc;
        var gray = maxc.eq(minc);
        var s = cr / maxc.masked_fill(gray, 1.0);
        var crDivisor = cr.masked_fill(gray, 1.0);
        var rc = (maxc - r).div_(crDivisor);
        var gc = (maxc - g).div_(crDivisor);
        var bc = (maxc - b).div_(crDivisor);
        var isR = maxc.eq(r);
        var isG = maxc.eq(g).logical_and_(isR.logical_not());
        var isB = isR.logical_or(isG).logical_not_();
        var h = (bc - gc).mul_(isR)
            .add_((rc - bc).add_(2.0).mul_(isG))
            .add_((gc - rc).add_(4.0).mul_(isB));
        h = h.div_(6.0).add_(1.0).fmod_(1.0);
        return (h, s, maxc);
    }

    /// <summary>
    /// HSV to RGB, (n, 3, H, W). Channel c is v (1 - s clamp(min(k, 4 - k), 0, 1)) with k = (n_c + 6h) mod 6 and
    /// n = 5, 3, 1 for R, G, B: the same numbers as torchvision's six-sector table, in a few broadcast ops.
    /// </summary>
    internal static Tensor FromHsv(Tensor h, Tensor s, Tensor v)
    {
        using var offsets = tensor(new float[] { 5, 3, 1 }, dtype: h.dtype, device: h.device).view(1, 3, 1, 1);
        var k = h.unsqueeze(1).mul(6.0).add(offsets).remainder_(6.0);               // (n, 3, H, W)
        var t = minimum(k, 4.0 - k).clamp_(0, 1);
        return t.mul_(s.unsqueeze(1)).neg_().add_(1.0).mul_(v.unsqueeze(1));
    }
}
