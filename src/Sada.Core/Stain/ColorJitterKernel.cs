using System.Numerics;
using System.Runtime.CompilerServices;
using static Sada.Core.Stain.CpuKernels;
using static TorchSharp.torch;

namespace Sada.Core.Stain;

/// <summary>
/// <see cref="ColorJitter"/>'s four operations as fused SIMD passes over one image's planes (CPU, float32): each
/// image runs its own factors in its own order, images in parallel. Same arithmetic as the torch-op path.
/// </summary>
internal static unsafe class ColorJitterKernel
{
    static readonly float Wr = ColorJitter.GrayWeights[0], Wg = ColorJitter.GrayWeights[1], Wb = ColorJitter.GrayWeights[2];

    /// <summary>
    /// Jitters images of (M, 3, H, W) <paramref name="x"/> in place; factors row-major (N, 4) in <see cref="ColorJitter.Op"/>
    /// order for N = orders.Length images, image i being x[slots[i]] (x[i] when <paramref name="slots"/> is null).
    /// </summary>
    public static void Apply_(Tensor x, float[] factors, int[][] orders, bool[] enabled, int[]? slots = null)
    {
        long n = orders.Length, p = x.shape[2] * x.shape[3];
        var data = (IntPtr)Pointer(x);
        ForEachImage(n, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (int i) =>
        {
            float* r = (float*)data + (slots is null ? i : slots[i]) * 3 * p, g = r + p, b = g + p;
            foreach (var op in orders[i])
            {
                if (!enabled[op]) continue;
                float f = factors[i * 4 + op];
                switch ((ColorJitter.Op)op)
                {
                    case ColorJitter.Op.Brightness: Affine(r, 3 * p, f, 0f); break;
                    case ColorJitter.Op.Contrast: Affine(r, 3 * p, f, (1 - f) * MeanGray(r, g, b, p)); break;
                    case ColorJitter.Op.Saturation: Saturation(r, g, b, p, f); break;
                    case ColorJitter.Op.Hue: Hue(r, g, b, p, f); break;
                }
            }
        });
    }

    /// <summary>x <- clamp(f x + c, 0, 1) over <paramref name="length"/> values: brightness (c = 0) and contrast.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Affine(float* x, long length, float f, float c)
    {
        var vf = new Vector<float>(f);
        var vc = new Vector<float>(c);
        long i = 0;
        for (; i <= length - Lanes; i += Lanes)
            Store(x + i, Vector.Clamp(Load(x + i) * vf + vc, Vector<float>.Zero, Vector<float>.One));
        for (; i < length; i++) x[i] = Math.Clamp(x[i] * f + c, 0f, 1f);
    }

    /// <summary>Mean of 0.2989 R + 0.587 G + 0.114 B over the image, accumulated in double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static float MeanGray(float* r, float* g, float* b, long p)
    {
        double total = 0;
        var wr = new Vector<float>(Wr); var wg = new Vector<float>(Wg); var wb = new Vector<float>(Wb);
        long i = 0;
        while (i <= p - Lanes)
        {
            // Float lanes over blocks of at most 1024 pixels, then into the double total: fast and accurate.
            var acc = Vector<float>.Zero;
            long end = Math.Min(p - Lanes, i + 1024);
            for (; i <= end; i += Lanes) acc += wr * Load(r + i) + wg * Load(g + i) + wb * Load(b + i);
            total += Vector.Sum(acc);
        }
        for (; i < p; i++) total += Wr * r[i] + Wg * g[i] + Wb * b[i];
        return (float)(total / p);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Saturation(float* r, float* g, float* b, long p, float f)
    {
        var vf = new Vector<float>(f);
        var vc = new Vector<float>(1 - f);
        var wr = new Vector<float>(Wr); var wg = new Vector<float>(Wg); var wb = new Vector<float>(Wb);
        long i = 0;
        for (; i <= p - Lanes; i += Lanes)
        {
            var R = Load(r + i); var G = Load(g + i); var B = Load(b + i);
            var gray = (wr * R + wg * G + wb * B) * vc;
            Store(r + i, Vector.Clamp(R * vf + gray, Vector<float>.Zero, Vector<float>.One));
            Store(g + i, Vector.Clamp(G * vf + gray, Vector<float>.Zero, Vector<float>.One));
            Store(b + i, Vector.Clamp(B * vf + gray, Vector<float>.Zero, Vector<float>.One));
        }
        for (; i < p; i++)
        {
            float gray = (Wr * r[i] + Wg * g[i] + Wb * b[i]) * (1 - f);
            r[i] = Math.Clamp(r[i] * f + gray, 0f, 1f);
            g[i] = Math.Clamp(g[i] * f + gray, 0f, 1f);
            b[i] = Math.Clamp(b[i] * f + gray, 0f, 1f);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Hue(float* r, float* g, float* b, long p, float f)
    {
        var shift = new Vector<float>(f);
        long i = 0;
        for (; i <= p - Lanes; i += Lanes) HueStep(r + i, g + i, b + i, shift);
        int rest = (int)(p - i);
        if (rest > 0)
        {
            float* scratch = stackalloc float[3 * Lanes];
            float*[] planes = [r, g, b];
            TailIn(scratch, planes, i, rest);
            HueStep(scratch, scratch + Lanes, scratch + 2 * Lanes, shift);
            TailOut(scratch, planes, i, rest);
        }
    }

    /// <summary>torchvision's _rgb2hsv, the shift modulo 1, and HSV -> RGB as v (1 - s clamp(min(k, 4 - k), 0, 1)), k = (n + 6h) mod 6.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void HueStep(float* r, float* g, float* b, Vector<float> shift)
    {
        var one = Vector<float>.One;
        var zero = Vector<float>.Zero;
        var R = Load(r); var G = Load(g); var B = Load(b);
        var maxc = Vector.Max(R, Vector.Max(G, B));
        var minc = Vector.Min(R, Vector.Min(G, B));
        var cr = maxc - minc;
        var gray = Vector.Equals(maxc, minc);
        var s = cr / Vector.ConditionalSelect(gray, one, maxc);
        var divisor = Vector.ConditionalSelect(gray, one, cr);
        var rc = (maxc - R) / divisor;
        var gc = (maxc - G) / divisor;
        var bc = (maxc - B) / divisor;
        var isR = Vector.Equals(maxc, R);
        var isG = Vector.AndNot(Vector.Equals(maxc, G), isR);
        var isB = ~(isR | isG);
        var h = Vector.ConditionalSelect(isR, bc - gc, zero)
              + Vector.ConditionalSelect(isG, new Vector<float>(2f) + rc - bc, zero)
              + Vector.ConditionalSelect(isB, new Vector<float>(4f) + gc - rc, zero);
        h = h / new Vector<float>(6f) + one;
        h -= Vector.Floor(h);                       // fmod(h, 1) of a positive value
        h += shift;
        h -= Vector.Floor(h);                       // Python's % 1, as torch.remainder
        var h6 = h * new Vector<float>(6f);
        Store(r, Channel(h6, s, maxc, 5f));
        Store(g, Channel(h6, s, maxc, 3f));
        Store(b, Channel(h6, s, maxc, 1f));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector<float> Channel(Vector<float> h6, Vector<float> s, Vector<float> v, float n)
    {
        var six = new Vector<float>(6f);
        var k = h6 + new Vector<float>(n);
        k -= six * Vector.Floor(k / six);
        var t = Vector.Clamp(Vector.Min(k, new Vector<float>(4f) - k), Vector<float>.Zero, Vector<float>.One);
        return Vector.Clamp(v * (Vector<float>.One - s * t), Vector<float>.Zero, Vector<float>.One);
    }
}
