using System.Numerics;
using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Stain;

/// <summary>
/// What the fused CPU kernels of this folder share. Libtorch runs one pass over memory per elementwise op; SBA's
/// steps are long chains of cheap per-pixel arithmetic (SNMF's update, HSV round trips), so on the CPU they run
/// here as one SIMD pass per step straight over the tensors' storage, images in parallel. Other devices and
/// dtypes take the torch-op paths, which compute the same thing.
/// </summary>
internal static unsafe class CpuKernels
{
    public static readonly int Lanes = Vector<float>.Count;

    /// <summary>True when <paramref name="t"/> is a contiguous float32 CPU tensor the kernels can address directly.</summary>
    public static bool Fusable(Tensor t) => t.device_type == DeviceType.CPU && t.dtype == ScalarType.Float32 && t.is_contiguous();

    /// <summary>The first element of a <see cref="Fusable"/> tensor; native memory, so no pinning is needed.</summary>
    public static float* Pointer(Tensor t)
    {
        if (!Fusable(t)) throw new ArgumentException("expected a contiguous float32 CPU tensor");
        fixed (byte* p = t.bytes) return (float*)p;
    }

    /// <summary>body(i) for every image, on as many threads as torch is allowed.</summary>
    public static void ForEachImage(long count, Action<int> body)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, get_num_threads()) };
        if (count == 1 || options.MaxDegreeOfParallelism == 1)
            for (int i = 0; i < count; i++) body(i);
        else
            Parallel.For(0, (int)count, options, body);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Load(float* p) => Unsafe.ReadUnaligned<Vector<float>>(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, Vector<float> v) => Unsafe.WriteUnaligned(p, v);

    /// <summary>
    /// Copies the <paramref name="count"/> (&lt; Lanes) trailing elements of <paramref name="planes"/> planes at
    /// <paramref name="offset"/> into a zero-padded scratch of planes x Lanes, so the vector code serves for the tail too.
    /// </summary>
    public static void TailIn(float* scratch, float*[] planes, long offset, int count)
    {
        for (int c = 0; c < planes.Length; c++)
        {
            var dst = new Span<float>(scratch + c * Lanes, Lanes);
            dst.Clear();
            new ReadOnlySpan<float>(planes[c] + offset, count).CopyTo(dst);
        }
    }

    /// <summary>Writes the scratch of <see cref="TailIn"/> back.</summary>
    public static void TailOut(float* scratch, float*[] planes, long offset, int count)
    {
        for (int c = 0; c < planes.Length; c++)
            new ReadOnlySpan<float>(scratch + c * Lanes, count).CopyTo(new Span<float>(planes[c] + offset, count));
    }
}
