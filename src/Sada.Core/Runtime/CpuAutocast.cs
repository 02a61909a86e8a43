using System.Runtime.InteropServices;

namespace Sada.Core.Runtime;

/// <summary>
/// libtorch's CPU autocast (PyTorch's <c>torch.autocast("cpu", dtype=torch.bfloat16)</c>): inside a scope, convolutions,
/// matrix products and linear layers run in bfloat16 (their backward too); everything else, the parameters and the
/// optimiser stay float32. TorchSharp 0.107 has no autocast API (no <c>torch.autocast</c>, <c>torch.amp</c> or
/// <c>THSAmp_*</c> export in LibTorchSharp), so this calls libtorch's own C++ functions
/// <c>at::autocast::set_autocast_enabled(c10::DeviceType, bool)</c>, <c>set_autocast_dtype(c10::DeviceType, c10::ScalarType)</c>,
/// <c>is_autocast_enabled(c10::DeviceType)</c> and <c>set_autocast_cache_enabled(bool)</c> in libtorch_cpu by their
/// (Itanium ABI) symbol names, which libtorch 2.10 exports. The state is per thread, as in PyTorch: enter and leave
/// the scope on the thread that runs the forward pass. Worth it only on CPUs with native bfloat16 arithmetic
/// (AVX512_BF16 or AMX); elsewhere oneDNN emulates it slowly.
/// </summary>
public static partial class CpuAutocast
{
    const string Library = "libtorch_cpu.so";
    // c10::DeviceType::CPU and c10::ScalarType::BFloat16 (both int8 enums).
    const sbyte Cpu = 0;
    const sbyte BFloat16 = 15;

    /// <summary>Whether this CPU does bfloat16 arithmetic natively (Linux: the avx512_bf16 or amx_bf16 flag).</summary>
    public static bool CpuHasBFloat16 { get; } = DetectBFloat16();

    /// <summary>Whether libtorch's autocast entry points could be found in this process (torch must be loaded).</summary>
    public static bool Available
    {
        get
        {
            try
            {
                return IsEnabled(Cpu) is 0 or 1;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                return false;
            }
        }
    }

    /// <summary>Whether CPU autocast is on for this thread.</summary>
    public static bool IsOn => IsEnabled(Cpu) != 0;

    /// <summary>
    /// Turns bfloat16 autocast on for this thread until the returned scope is disposed (which restores the previous
    /// state). The weight cache is off: the optimiser changes the float32 weights in place between steps, and a cached
    /// bfloat16 copy would go stale.
    /// </summary>
    public static IDisposable BFloat16Scope()
    {
        bool was = IsOn;
        SetCacheEnabled(0);
        SetDtype(Cpu, BFloat16);
        SetEnabled(Cpu, 1);
        return new Scope(was);
    }

    /// <summary>Turns CPU autocast off for this thread until the returned scope is disposed (which restores it).</summary>
    public static IDisposable Suspended()
    {
        bool was = IsOn;
        SetEnabled(Cpu, 0);
        return new Scope(was);
    }

    sealed class Scope(bool was) : IDisposable
    {
        bool _done;

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            SetEnabled(Cpu, was ? (byte)1 : (byte)0);
        }
    }

    static bool DetectBFloat16()
    {
        try
        {
            if (!OperatingSystem.IsLinux() || !File.Exists("/proc/cpuinfo")) return false;
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                if (!line.StartsWith("flags", StringComparison.Ordinal)) continue;
                var flags = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return flags.Contains("avx512_bf16", StringComparer.Ordinal) || flags.Contains("amx_bf16", StringComparer.Ordinal);
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return false;
    }

    [LibraryImport(Library, EntryPoint = "_ZN2at8autocast20set_autocast_enabledEN3c1010DeviceTypeEb")]
    private static partial void SetEnabled(sbyte device, byte enabled);

    [LibraryImport(Library, EntryPoint = "_ZN2at8autocast19is_autocast_enabledEN3c1010DeviceTypeE")]
    private static partial byte IsEnabled(sbyte device);

    [LibraryImport(Library, EntryPoint = "_ZN2at8autocast18set_autocast_dtypeEN3c1010DeviceTypeENS1_10ScalarTypeE")]
    private static partial void SetDtype(sbyte device, sbyte dtype);

    [LibraryImport(Library, EntryPoint = "_ZN2at8autocast26set_autocast_cache_enabledEb")]
    private static partial void SetCacheEnabled(byte enabled);
}
