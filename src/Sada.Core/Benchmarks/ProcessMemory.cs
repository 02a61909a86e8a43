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

    /// <summary>The most the process has held resident since it started (VmHWM on Linux).</summary>
    public static long PeakResidentBytes()
    {
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }

    /// <summary>The 1-minute load average ("n/a" off Linux): benchmarks on a shared machine say how shared it was.</summary>
    public static string LoadAverage()
    {
        try
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"{fields[0]} {fields[1]} {fields[2]}";
        }
        catch (IOException) { return "n/a"; }
        catch (UnauthorizedAccessException) { return "n/a"; }
    }
}
