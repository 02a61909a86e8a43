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
            var buffer = System.Buffers.ArrayPool<float>.Shared.Rent((int)n);
            try
            {
                new ReadOnlySpan<float>((float*)data + row * n, (int)n).CopyTo(buffer);
                var a = buffer.AsSpan(0, (int)n);
                int limit = (int)n;                    // everything at or past limit is >= everything below it
                foreach (var j in order)
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
        });
        return result;
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
