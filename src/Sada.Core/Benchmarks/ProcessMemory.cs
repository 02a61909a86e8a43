using System.Diagnostics;

namespace Sada.Core.Benchmarks;

/// <summary>Resident memory, for the benchmarks' before/after columns: a run whose memory climbs leaks tensors.</summary>
public static class ProcessMemory
{
    /// <summary>The process's resident set (VmRSS on Linux), after collecting garbage so finalizable tensors are freed.</summary>
    public static long ResidentBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }
}
