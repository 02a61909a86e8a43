using System.Numerics;
using System.Runtime.CompilerServices;
using static Sada.Core.Stain.CpuKernels;
using static TorchSharp.torch;

namespace Sada.Core.Stain;

/// <summary>
/// Order statistics along the last dimension by in-place selection (quickselect) on a copy of each row, rows in
/// parallel (CPU, float32). libtorch's kthvalue does the same selection one row after another; here the rows share
/// the cores, and several levels of one row share one copy: the largest rank is selected first and each smaller
/// rank is then selected only among the values left below it.
/// </summary>
internal static unsafe class OrderStatistics
{
    /// <summary>
    /// For each rank r in <paramref name="ranks"/>, the r-th and (r+1)-th smallest (0-based) of every row:
    /// (rows, ranks, 2) with the (r+1)-th equal to the r-th when r is the last index.
    /// </summary>
    public static float[] Neighbours(Tensor x, long[] ranks)
    {
        long n = x.shape[^1];
        long rows = x.numel() / n;
        var data = (IntPtr)Pointer(x);
        var result = new float[rows * ranks.Length * 2];
        var order = Enumerable.Range(0, ranks.Length).OrderByDescending(i => ranks[i]).ToArray();
        ForEachImage(rows, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (int row) =>
        {
            float* x = (float*)data + row * n;
            var pending = new List<int>();
            foreach (var j in order)
            {
                int r = (int)ranks[j];
                if (r == n - 1)
                {
                    // The maximum (SNMF's W initialisation at level 1): one vector pass.
                    result[(row * ranks.Length + j) * 2] = result[(row * ranks.Length + j) * 2 + 1] = Max(x, (int)n);
                    continue;
                }
                if (n >= SampleFrom && Bracketed(x, (int)n, r, out var below, out var above))
                {
                    result[(row * ranks.Length + j) * 2] = below;
                    result[(row * ranks.Length + j) * 2 + 1] = above;
                }
                else pending.Add(j);
            }
            if (pending.Count > 0) SelectOnCopy(x, n, ranks, pending, result, row);
        });
        return result;
    }

    /// <summary>Rows at least this long try the sampled bracket first; shorter rows go straight to quickselect.</summary>
    const int SampleFrom = 2048;
    const int SampleSize = 1024;

    /// <summary>
    /// Floyd-Rivest's idea: a sorted strided sample of the row brackets the wanted rank between two sample values;
    /// one pass counts the values below the bracket and equal to its ends and keeps the few strictly inside, and
    /// the answer is read off or selected among those few. Ties are counted, not kept, so quantised data stays cheap.
    /// False (caller falls back to full selection) when the rank or its neighbour lands outside the bracket or
    /// too many values fall inside it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static bool Bracketed(float* x, int n, int r, out float below, out float above)
    {
        below = above = 0;
        // About one value in 32, at most SampleSize: sorting the sample must stay cheap next to the pass.
        int m = Math.Min(SampleSize, n / 32);
        Span<float> sample = stackalloc float[m];
        for (int i = 0; i < m; i++) sample[i] = x[(long)i * n / m];
        sample.Sort();
        double q = (r + 0.5) / n, at = q * m, margin = 3 * Math.Sqrt(m * q * (1 - q)) + 4;
        int loIndex = (int)Math.Floor(at - margin), hiIndex = (int)Math.Ceiling(at + margin);
        float lo = loIndex < 0 ? float.NegativeInfinity : sample[loIndex];
        float hi = hiIndex >= m ? float.PositiveInfinity : sample[hiIndex];
        bool single = lo == hi;

        int capacity = n / 8 + 64;
        var inside = System.Buffers.ArrayPool<float>.Shared.Rent(capacity);
        try
        {
            int countBelow = 0, countLo = 0, countHi = 0, countInside = 0;
            var vlo = new Vector<float>(lo); var vhi = new Vector<float>(hi);
            var accBelow = Vector<int>.Zero;
            int i = 0;
            for (; i <= n - Lanes; i += Lanes)
            {
                var v = Load(x + i);
                accBelow -= Vector.LessThan(v, vlo);                            // masks are -1
                // Lanes inside [lo, hi] are rare: only their vectors take the scalar path.
                if (!Vector.EqualsAll(Vector.GreaterThanOrEqual(v, vlo) & Vector.LessThanOrEqual(v, vhi), Vector<int>.Zero))
                    for (int l = 0; l < Lanes; l++)
                        if (!Classify(x[i + l], lo, hi, single, inside, capacity, ref countLo, ref countHi, ref countInside, ref countBelow, countsBelow: false))
                            return false;
            }
            for (; i < n; i++)
                if (!Classify(x[i], lo, hi, single, inside, capacity, ref countLo, ref countHi, ref countInside, ref countBelow, countsBelow: true))
                    return false;
            countBelow += Vector.Sum(accBelow);

            var kept = inside.AsSpan(0, countInside);
            if (!Locate(r - countBelow, lo, hi, countLo, countHi, kept, out below)) return false;
            if (r + 1 >= n) { above = below; return true; }
            return Locate(r + 1 - countBelow, lo, hi, countLo, countHi, kept, out above);
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(inside);
        }
    }

    /// <summary>The t-th smallest of the bracket: lo repeated countLo times, then the kept values, then hi countHi times.</summary>
    static bool Locate(int t, float lo, float hi, int countLo, int countHi, Span<float> kept, out float value)
    {
        value = 0;
        if (t < 0) return false;
        if (t < countLo) { value = lo; return true; }
        t -= countLo;
        if (t < kept.Length) { Select(kept, t); value = kept[t]; return true; }
        t -= kept.Length;
        if (t < countHi) { value = hi; return true; }
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static bool Classify(float v, float lo, float hi, bool single, float[] inside, int capacity,
        ref int countLo, ref int countHi, ref int countInside, ref int countBelow, bool countsBelow)
    {
        if (v < lo) { if (countsBelow) countBelow++; return true; }
        if (v > hi) return true;
        if (v == lo) { countLo++; return true; }
        if (v == hi && !single) { countHi++; return true; }
        if (countInside == capacity) return false;
        inside[countInside++] = v;
        return true;
    }

    /// <summary>Exact selection on a copy of the row: largest rank first, each smaller one among the values left below it.</summary>
    static void SelectOnCopy(float* x, long n, long[] ranks, List<int> pending, float[] result, int row)
    {
        var buffer = System.Buffers.ArrayPool<float>.Shared.Rent((int)n);
        try
        {
            new ReadOnlySpan<float>(x, (int)n).CopyTo(buffer);
            var a = buffer.AsSpan(0, (int)n);
            int limit = (int)n;                    // everything at or past limit is >= everything below it
            foreach (var j in pending)             // already in descending rank order
            {
                int r = (int)ranks[j];
                if (r >= limit)
                {
                    // Only when two ranks coincide: the previous selection already put it in place.
                    result[(row * ranks.Length + j) * 2] = a[r];
                    result[(row * ranks.Length + j) * 2 + 1] = r + 1 < n ? a[r + 1] : a[r];
                    continue;
                }
                Select(a[..limit], r);
                float below = a[r];
                float above = r + 1 >= n ? below : r + 1 < limit ? Min(a[(r + 1)..limit]) : a[limit];
                result[(row * ranks.Length + j) * 2] = below;
                result[(row * ranks.Length + j) * 2 + 1] = above;
                limit = r;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(buffer);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static float Max(float* x, int n)
    {
        var acc = new Vector<float>(float.NegativeInfinity);
        int i = 0;
        for (; i <= n - Lanes; i += Lanes) acc = Vector.Max(acc, Load(x + i));
        float max = float.NegativeInfinity;
        for (int l = 0; l < Lanes; l++) max = MathF.Max(max, acc[l]);
        for (; i < n; i++) max = MathF.Max(max, x[i]);
        return max;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static float Min(ReadOnlySpan<float> a)
    {
        float m = a[0];
        foreach (var v in a) if (v < m) m = v;
        return m;
    }

    /// <summary>Rearranges <paramref name="a"/> so a[k] is its k-th smallest, smaller-or-equal values before it, larger-or-equal after.</summary>
    internal static void Select(Span<float> a, int k)
    {
        fixed (float* p = a) Select(p, a.Length, k);
    }

    /// <summary>Quickselect, median-of-three pivot, Hoare partition; on a pointer, the hot loop has no bounds checks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Select(float* a, int length, int k)
    {
        int lo = 0, hi = length - 1;
        while (hi > lo)
        {
            int mid = lo + (hi - lo) / 2;
            if (a[mid] < a[lo]) Swap(a, mid, lo);
            if (a[hi] < a[lo]) Swap(a, hi, lo);
            if (a[hi] < a[mid]) Swap(a, hi, mid);
            float pivot = a[mid];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (a[i] < pivot) i++;
                while (a[j] > pivot) j--;
                if (i <= j)
                {
                    Swap(a, i, j);
                    i++;
                    j--;
                }
            }
            // Now a[lo..j] <= pivot <= a[i..hi], and any a[j+1..i-1] equal the pivot.
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Swap(float* a, int i, int j) => (a[i], a[j]) = (a[j], a[i]);
}
