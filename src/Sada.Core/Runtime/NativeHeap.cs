using System.Runtime.InteropServices;

namespace Sada.Core.Runtime;

/// <summary>
/// An opt-in bound on glibc's heap under libtorch (docs/performance.md, "Third round"). libtorch takes every tensor from
/// malloc; with glibc's defaults a freed activation of a few MB stays in the process (the mmap threshold rises to the
/// largest block freed, up to 32 MB, so later blocks come from the heap, which is only trimmed at its top) and each
/// thread that allocates may get its own arena. With SADA_MALLOC_BOUND=1, set before torch loads:
/// <list type="bullet">
/// <item>M_MMAP_THRESHOLD 256 KiB, fixed: tensors above it are mapped and given back when freed;</item>
/// <item>M_TRIM_THRESHOLD 256 KiB, fixed: free memory at a heap's top goes back sooner;</item>
/// <item>M_ARENA_MAX 2: threads share two arenas, whose free blocks are then reused rather than kept apart.</item>
/// </list>
/// Off by default: it lowers the peak by a few hundred MB, but every mapped tensor is zeroed by the kernel when it is
/// allocated, and on a quiet machine a ResNet-18 forward and backward took 1.34 times as long at 96 px and 1.16 times at
/// 224 px. A setting the user already gave glibc through its environment variables (MALLOC_MMAP_THRESHOLD_,
/// MALLOC_TRIM_THRESHOLD_, MALLOC_ARENA_MAX) is left as given. Nothing happens off Linux or on a C library without
/// mallopt (musl).
/// </summary>
public static partial class NativeHeap
{
    /// <summary>The environment variable that turns the bound on (value 1).</summary>
    public const string Switch = "SADA_MALLOC_BOUND";

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

    /// <summary>The settings to apply given the environment: none unless SADA_MALLOC_BOUND=1, none off Linux, and none the user set.</summary>
    internal static IEnumerable<(string Name, int Option, int Value)> ToApply(Func<string, string?> environment, bool linux)
    {
        if (!linux || environment(Switch) != "1") yield break;
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
