using System.Numerics;
using System.Runtime.CompilerServices;
using Sada.Core.Augmentation;
using static Sada.Core.Stain.CpuKernels;
using static TorchSharp.torch;

namespace Sada.Core.Stain;

/// <summary>One-pass CPU versions of SBA's per-pixel conversions: RGB to OD, the stain transfer, ImageNet normalisation.</summary>
internal static unsafe class PixelKernels
{
    /// <summary><see cref="OpticalDensity.FromRgb"/> into <paramref name="od"/>, both (N, 3, H, W).</summary>
    public static void RgbToOd(Tensor rgb, Tensor od)
    {
        long n = rgb.shape[0], p = rgb.shape[2] * rgb.shape[3];
        var src = (IntPtr)Pointer(rgb);
        var dst = (IntPtr)Pointer(od);
        ForEachImage(n, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (int i) =>
        {
            float* r = (float*)src + i * 3 * p, o = (float*)dst + i * 3 * p;
            long j = 0;
            for (; j <= p - Lanes; j += Lanes) RgbToOdStep(r + j, r + p + j, r + 2 * p + j, o + j, o + p + j, o + 2 * p + j);
            int rest = (int)(p - j);
            if (rest > 0)
            {
                float* scratch = stackalloc float[6 * Lanes];
                float*[] planes = [r + j, r + p + j, r + 2 * p + j];
                TailIn(scratch, planes, 0, rest);
                RgbToOdStep(scratch, scratch + Lanes, scratch + 2 * Lanes, scratch + 3 * Lanes, scratch + 4 * Lanes, scratch + 5 * Lanes);
                TailOut(scratch + 3 * Lanes, [o + j, o + p + j, o + 2 * p + j], 0, rest);
            }
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void RgbToOdStep(float* r, float* g, float* b, float* odR, float* odG, float* odB)
    {
        var eps = new Vector<float>((float)OpticalDensity.Eps);
        var R = Load(r); var G = Load(g); var B = Load(b);
        var black = Vector.LessThan(Vector.Max(R, Vector.Max(G, B)), new Vector<float>((float)OpticalDensity.BlackThreshold));
        Store(odR, Od(Vector.ConditionalSelect(black, Vector<float>.One, R), eps));
        Store(odG, Od(Vector.ConditionalSelect(black, Vector<float>.One, G), eps));
        Store(odB, Od(Vector.ConditionalSelect(black, Vector<float>.One, B), eps));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector<float> Od(Vector<float> i, Vector<float> eps) => Vector.Max(-Vector.Log(Vector.Max(i, eps)), eps);

    /// <summary>
    /// The transfer of <see cref="DomainTransfer.TransferRgb"/> written straight into the views: image s's m transfers
    /// go to views[s, first .. first + m - 1] of a (N, k, 3, H, W) tensor.
    /// </summary>
    public static void TransferRgb(StainSeparation stains, long[] targets, float[] q99, Tensor views, int first)
    {
        long n = stains.Images, p = stains.H.shape[2], m = targets.Length / n, k = views.shape[1];
        var hs = (IntPtr)Pointer(stains.H);
        var dst = (IntPtr)Pointer(views);
        var w = stains.W.data<float>().ToArray();
        var b = stains.B.data<float>().ToArray();
        float eps = (float)DomainTransfer.Eps;
        ForEachImage(n, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (int s) =>
        {
            // Per target j: W_t's columns scaled by the q99 ratio (row-major (3, 2)), and B_t.
            var wj = new Vector<float>[m * 6];
            var bj = new Vector<float>[m * 3];
            for (int j = 0; j < m; j++)
            {
                long t = targets[s * m + j];
                for (int c = 0; c < 3; c++)
                {
                    for (int r = 0; r < 2; r++)
                        wj[j * 6 + c * 2 + r] = new Vector<float>(w[t * 6 + c * 2 + r] * ((q99[t * 2 + r] + eps) / (q99[s * 2 + r] + eps)));
                    bj[j * 3 + c] = new Vector<float>(b[t * 3 + c]);
                }
            }
            var veps = new Vector<float>(eps);
            float* h0 = (float*)hs + s * 2 * p, h1 = h0 + p;
            float* outS = (float*)dst + (s * k + first) * 3 * p;
            long i = 0;
            for (; i <= p - Lanes; i += Lanes)
            {
                var g0 = Load(h0 + i); var g1 = Load(h1 + i);
                for (int j = 0; j < m; j++)
                    for (int c = 0; c < 3; c++)
                    {
                        var od = wj[j * 6 + c * 2] * g0 + wj[j * 6 + c * 2 + 1] * g1 + bj[j * 3 + c];
                        Store(outS + (j * 3 + c) * p + i, Vector.Exp(-Vector.Max(od, veps)));
                    }
            }
            for (; i < p; i++)
                for (int j = 0; j < m; j++)
                    for (int c = 0; c < 3; c++)
                    {
                        float od = wj[j * 6 + c * 2][0] * h0[i] + wj[j * 6 + c * 2 + 1][0] * h1[i] + bj[j * 3 + c][0];
                        outS[(j * 3 + c) * p + i] = MathF.Exp(-MathF.Max(od, eps));
                    }
        });
    }

    /// <summary>
    /// dst <- (src - mean) / std per channel, as x * (1/std) - mean/std in one pass, on (M, 3, H, W) tensors: image i
    /// read from src[srcSlots[i]] and written to dst[dstSlots[i]] (slot i when null); src and dst may be the same tensor.
    /// </summary>
    public static void Normalize(Tensor src, int[]? srcSlots, Tensor dst, int[]? dstSlots)
    {
        long n = srcSlots?.Length ?? dstSlots?.Length ?? src.shape[0], p = src.shape[2] * src.shape[3];
        var from = (IntPtr)Pointer(src);
        var to = (IntPtr)Pointer(dst);
        ForEachImage(n, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (int i) =>
        {
            for (int c = 0; c < 3; c++)
            {
                float scale = 1f / ImageNetNormalization.Std[c], shift = -ImageNetNormalization.Mean[c] / ImageNetNormalization.Std[c];
                var vs = new Vector<float>(scale); var vh = new Vector<float>(shift);
                float* x = (float*)from + ((srcSlots is null ? i : srcSlots[i]) * 3 + c) * p;
                float* y = (float*)to + ((dstSlots is null ? i : dstSlots[i]) * 3 + c) * p;
                long j = 0;
                for (; j <= p - Lanes; j += Lanes) Store(y + j, Load(x + j) * vs + vh);
                for (; j < p; j++) y[j] = x[j] * scale + shift;
            }
        });
    }
}
