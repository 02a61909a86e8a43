using System.Runtime.InteropServices;

namespace Sada.Core.Runtime;

/// <summary>
/// glibc malloc settings for a process that trains with libtorch (docs/performance.md, "Bounded memory"). libtorch takes
/// every tensor from malloc; with glibc's defaults a freed activation of a few MB stays in the process (the mmap threshold
/// rises to the largest block freed, up to 32 MB, so later blocks come from the heap, which is only trimmed at its top) and
/// each thread that allocates (decoding, OpenMP, the pipeline) may get its own arena (up to 8 per core) holding its own
/// free memory. A training step of 96 cells then left its whole peak resident. Set before torch loads:
/// <list type="bullet">
/// <item>M_MMAP_THRESHOLD 256 KiB, fixed: tensors above it are mapped and given back when freed;</item>
/// <item>M_TRIM_THRESHOLD 256 KiB, fixed: free memory at a heap's top goes back sooner;</item>
/// <item>M_ARENA_MAX 2: threads share two arenas, whose free blocks are then reused rather than kept apart.</item>
/// </list>
/// A setting the user already gave glibc through its environment variables (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_,
/// MALLOC_ARENA_MAX) is left as given; SADA_MALLOC_DEFAULTS=0 leaves all three at glibc's defaults. Nothing happens off
/// Linux or on a C library without mallopt (musl).
/// </summary>
public static partial class NativeHeap
{
    const int MTrimThreshold = -1;
    const int MMmapThreshold = -3;
    const int MArenaMax = -8;

    /// <summary>Each setting: mallopt's name, glibc's environment variable for it, mallopt's option number, the value.</summary>
    public static IReadOnlyList<(string Name, string Variable, int Option, int Value)> Settings { get; } =
    [
        ("M_MMAP_THRESHOLD", "MALLOC_MMAP_THRESHOLD_", MMmapThreshold, 256 * 1024),
        ("M_TRIM_THRESHOLD", "MALLOC_TRIM_THRESHOLD_", MTrimThreshold, 256 * 1024),
        ("M_ARENA_MAX", "MALLOC_ARENA_MAX", MArenaMax, 2),
    ];

    static readonly object Gate = new();
    static IReadOnlyList<string>? _applied;

    /// <summary>What <see cref="Configure"/> set (e.g. "M_ARENA_MAX=2"); empty when it set nothing.</summary>
    public static IReadOnlyList<string> Applied => _applied ?? [];

    /// <summary>Applies the settings once per process (later calls do nothing) and returns what was set.</summary>
    public static IReadOnlyList<string> Configure() => Configure(Environment.GetEnvironmentVariable);

    internal static IReadOnlyList<string> Configure(Func<string, string?> environment)
    {
        lock (Gate)
        {
            if (_applied is not null) return _applied;
            _applied = ToApply(environment, OperatingSystem.IsLinux()).Where(s => Set(s.Option, s.Value)).Select(s => $"{s.Name}={s.Value}").ToList();
            return _applied;
        }
    }

    /// <summary>The settings to apply given the environment: none off Linux or with SADA_MALLOC_DEFAULTS=0, and none the user set.</summary>
    internal static IEnumerable<(string Name, int Option, int Value)> ToApply(Func<string, string?> environment, bool linux)
    {
        if (!linux || environment("SADA_MALLOC_DEFAULTS") == "0") yield break;
        foreach (var (name, variable, option, value) in Settings)
            if (string.IsNullOrEmpty(environment(variable)))
                yield return (name, option, value);
    }

    static bool Set(int option, int value)
    {
        try
        {
            return MallOpt(option, value) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc.so.6", EntryPoint = "mallopt")]
    private static partial int MallOpt(int param, int value);
}
