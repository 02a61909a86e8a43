using System.Numerics;
using System.Runtime.CompilerServices;
using static Sada.Core.Stain.CpuKernels;
using static TorchSharp.torch;

namespace Sada.Core.Stain;

/// <summary>
/// SNMF's iterations for two stains as one fused SIMD pass per iteration over each image (CPU, float32). The H
/// update of pixel p needs only that pixel's V and H and the small matrices W and W^T W; the sums V H^T and
/// H H^T that the next W update needs are accumulated in the same pass from the new H. So each iteration
/// reads V and H once and writes H once, instead of the dozen full passes of the torch-op version.
/// </summary>
internal static unsafe class SnmfKernel
{
    /// <summary>Pixels per float accumulation block before adding into double totals (bounds float rounding).</summary>
    const int Block = 1024;

    /// <param name="x">(N, 3, P) optical density.</param>
    /// <param name="b">(N, 3, 1) background.</param>
    /// <param name="w">(N, 3, 2) initial unit-column W; updated in place.</param>
    /// <param name="h">(N, 2, P) written: the concentrations.</param>
    public static void Run(Tensor x, Tensor b, Tensor w, Tensor h, int iterations, double lambda, double eps)
    {
        long n = x.shape[0], p = x.shape[2];
        var xs = (IntPtr)Pointer(x);
        var hs = (IntPtr)Pointer(h);
        var bs = b.data<float>().ToArray();
        var ws = w.data<float>().ToArray();
        ForEachImage(n, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (int i) =>
        {
            float* xi = (float*)xs + i * 3 * p, hi = (float*)hs + i * 2 * p;
            new Span<float>(hi, (int)(2 * p)).Fill(1f);
            Span<double> W = stackalloc double[6];                 // row-major (3, 2)
            for (int k = 0; k < 6; k++) W[k] = ws[i * 6 + k];
            float b0 = bs[i * 3], b1 = bs[i * 3 + 1], b2 = bs[i * 3 + 2];
            // With H = 1: V H^T is each channel's sum of V twice; H H^T is P everywhere.
            Span<double> vht = stackalloc double[6];
            Span<double> hht = stackalloc double[4];
            ChannelSums(xi, p, b0, b1, b2, vht);
            hht.Fill(p);
            for (int it = 0; it < iterations; it++)
            {
                UpdateW(W, vht, hht, eps);
                Sweep(xi, hi, p, b0, b1, b2, W, lambda, eps, vht, hht, accumulate: it + 1 < iterations);
            }
            for (int k = 0; k < 6; k++) ws[i * 6 + k] = (float)W[k];
        });
        w.copy_(tensor(ws, w.shape));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void ChannelSums(float* x, long p, float b0, float b1, float b2, Span<double> vht)
    {
        for (int c = 0; c < 3; c++)
        {
            double sum = 0;
            float* xc = x + c * p;
            long i = 0;
            while (i <= p - Lanes)
            {
                var acc = Vector<float>.Zero;
                long end = Math.Min(p - Lanes, i + Block);
                for (; i <= end; i += Lanes) acc += Load(xc + i);
                sum += Vector.Sum(acc);
            }
            for (; i < p; i++) sum += xc[i];
            sum -= p * (double)(c == 0 ? b0 : c == 1 ? b1 : b2);
            vht[c * 2] = vht[c * 2 + 1] = sum;
        }
    }

    /// <summary>W <- W * (V H^T) / (W H H^T + eps), then unit columns.</summary>
    static void UpdateW(Span<double> W, Span<double> vht, Span<double> hht, double eps)
    {
        Span<double> next = stackalloc double[6];
        for (int c = 0; c < 3; c++)
            for (int k = 0; k < 2; k++)
                next[c * 2 + k] = W[c * 2 + k] * vht[c * 2 + k] / (W[c * 2] * hht[k] + W[c * 2 + 1] * hht[2 + k] + eps);
        for (int k = 0; k < 2; k++)
        {
            double norm = Math.Sqrt(next[k] * next[k] + next[2 + k] * next[2 + k] + next[4 + k] * next[4 + k]);
            for (int c = 0; c < 3; c++) W[c * 2 + k] = next[c * 2 + k] / norm;
        }
    }

    /// <summary>
    /// H <- H * max(W^T V - lambda, 0) / (W^T W H + eps) per pixel (the method's two H lines folded, H ≥ 0), and
    /// when <paramref name="accumulate"/> the next V H^T and H H^T from the new H.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Sweep(float* x, float* h, long p, float b0, float b1, float b2, Span<double> W, double lambda, double eps,
        Span<double> vht, Span<double> hht, bool accumulate)
    {
        double a00 = W[0] * W[0] + W[2] * W[2] + W[4] * W[4];
        double a01 = W[0] * W[1] + W[2] * W[3] + W[4] * W[5];
        double a11 = W[1] * W[1] + W[3] * W[3] + W[5] * W[5];
        var w00 = new Vector<float>((float)W[0]); var w01 = new Vector<float>((float)W[1]);
        var w10 = new Vector<float>((float)W[2]); var w11 = new Vector<float>((float)W[3]);
        var w20 = new Vector<float>((float)W[4]); var w21 = new Vector<float>((float)W[5]);
        var m00 = new Vector<float>((float)a00); var m01 = new Vector<float>((float)a01); var m11 = new Vector<float>((float)a11);
        var lam = new Vector<float>((float)lambda);
        var ep = new Vector<float>((float)eps);
        var vb0 = new Vector<float>(b0); var vb1 = new Vector<float>(b1); var vb2 = new Vector<float>(b2);
        float* x0 = x, x1 = x + p, x2 = x + 2 * p, h0 = h, h1 = h + p;
        vht.Clear();
        hht.Clear();
        long i = 0, full = p - p % Lanes;
        while (i < full)
        {
            var s00 = Vector<float>.Zero; var s01 = s00; var s10 = s00; var s11 = s00; var s20 = s00; var s21 = s00;
            var q00 = s00; var q01 = s00; var q11 = s00;
            long end = Math.Min(full, i + Block);
            for (; i < end; i += Lanes)
            {
                var v0 = Load(x0 + i) - vb0; var v1 = Load(x1 + i) - vb1; var v2 = Load(x2 + i) - vb2;
                var g0 = Load(h0 + i); var g1 = Load(h1 + i);
                var n0 = Vector.Max(w00 * v0 + w10 * v1 + w20 * v2 - lam, Vector<float>.Zero);
                var n1 = Vector.Max(w01 * v0 + w11 * v1 + w21 * v2 - lam, Vector<float>.Zero);
                var d0 = m00 * g0 + m01 * g1 + ep;
                var d1 = m01 * g0 + m11 * g1 + ep;
                g0 = g0 * n0 / d0;
                g1 = g1 * n1 / d1;
                Store(h0 + i, g0);
                Store(h1 + i, g1);
                if (accumulate)
                {
                    s00 += v0 * g0; s01 += v0 * g1; s10 += v1 * g0; s11 += v1 * g1; s20 += v2 * g0; s21 += v2 * g1;
                    q00 += g0 * g0; q01 += g0 * g1; q11 += g1 * g1;
                }
            }
            if (accumulate)
            {
                vht[0] += Vector.Sum(s00); vht[1] += Vector.Sum(s01); vht[2] += Vector.Sum(s10);
                vht[3] += Vector.Sum(s11); vht[4] += Vector.Sum(s20); vht[5] += Vector.Sum(s21);
                hht[0] += Vector.Sum(q00); hht[1] += Vector.Sum(q01); hht[3] += Vector.Sum(q11);
            }
        }
        for (; i < p; i++)
        {
            float v0 = x0[i] - b0, v1 = x1[i] - b1, v2 = x2[i] - b2, g0 = h0[i], g1 = h1[i];
            float n0 = MathF.Max((float)W[0] * v0 + (float)W[2] * v1 + (float)W[4] * v2 - (float)lambda, 0f);
            float n1 = MathF.Max((float)W[1] * v0 + (float)W[3] * v1 + (float)W[5] * v2 - (float)lambda, 0f);
            float d0 = (float)a00 * g0 + (float)a01 * g1 + (float)eps;
            float d1 = (float)a01 * g0 + (float)a11 * g1 + (float)eps;
            g0 = g0 * n0 / d0;
            g1 = g1 * n1 / d1;
            h0[i] = g0;
            h1[i] = g1;
            if (accumulate)
            {
                vht[0] += v0 * g0; vht[1] += v0 * g1; vht[2] += v1 * g0; vht[3] += v1 * g1; vht[4] += v2 * g0; vht[5] += v2 * g1;
                hht[0] += g0 * g0; hht[1] += g0 * g1; hht[3] += g1 * g1;
            }
        }
        hht[2] = hht[1];
    }
}
