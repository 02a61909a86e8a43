namespace Sada.Core.Training;

/// <summary>
/// Stable seeds derived from a run's seed and a position (center, epoch, step). Everything random in a run is
/// a function of these, so a run resumed at step s draws exactly what it would have drawn without stopping.
/// (HashCode.Combine is randomised per process, so it cannot serve.)
/// </summary>
public static class SeedMix
{
    public static int Of(int seed, params long[] parts)
    {
        ulong h = 0x9E3779B97F4A7C15UL ^ (ulong)(uint)seed;
        foreach (var p in parts)
        {
            h ^= (ulong)p + 0x9E3779B97F4A7C15UL + (h << 6) + (h >> 2);
            h = SplitMix(h);
        }
        return (int)(h & 0x7FFFFFFF);
    }

    static ulong SplitMix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
