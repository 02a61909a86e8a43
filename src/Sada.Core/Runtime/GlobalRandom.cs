namespace Sada.Core.Runtime;

/// <summary>
/// Torch's default generator is one per process. A run seeds it and then draws from it (its network's initial weights,
/// and whatever an algorithm's step draws without its own generator), so its numbers are a function of its seed; a module
/// built meanwhile on another thread (a network loaded for prediction or a t-SNE) draws its throwaway initial weights from
/// the same generator and would change that run. Code that seeds and draws, or builds modules, does so inside this gate.
/// </summary>
public static class GlobalRandom
{
    static readonly Lock Gate = new();

    /// <summary>Runs <paramref name="work"/> while no other thread seeds or draws from torch's default generator.</summary>
    public static T Exclusive<T>(Func<T> work)
    {
        lock (Gate) return work();
    }
}
