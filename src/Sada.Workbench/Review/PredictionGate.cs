namespace Sada.Workbench.Review;

/// <summary>
/// At most <see cref="Capacity"/> predictions decode and classify at once; the others wait their turn (or their
/// cancellation). A decode may hold about 8 bytes per allowed pixel (300 MB at the default 40 megapixels), so the
/// predict endpoint, open to every role, cannot multiply that by the number of requests.
/// </summary>
public sealed class PredictionGate(int capacity = PredictionGate.DefaultCapacity) : IDisposable
{
    public const int DefaultCapacity = 2;

    readonly SemaphoreSlim slots = new(capacity, capacity);
    int active, peak;

    public int Capacity { get; } = capacity;

    public void Dispose() => slots.Dispose();

    /// <summary>The most predictions that have run at once since the start (for tests and diagnostics).</summary>
    public int Peak => Volatile.Read(ref peak);

    public async Task<T> RunAsync<T>(Func<Task<T>> work, CancellationToken cancellation = default)
    {
        await slots.WaitAsync(cancellation);
        try
        {
            int now = Interlocked.Increment(ref active);
            for (int seen = Volatile.Read(ref peak); now > seen; seen = Volatile.Read(ref peak))
                if (Interlocked.CompareExchange(ref peak, now, seen) == seen) break;
            return await work();
        }
        finally
        {
            Interlocked.Decrement(ref active);
            slots.Release();
        }
    }
}
