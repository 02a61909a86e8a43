using System.Diagnostics;
using Sada.Core.Data;
using static TorchSharp.torch;

namespace Sada.Core.Training;

/// <summary>One step's minibatch made on the CPU ahead of its step: per training center, the crops and their labels.</summary>
public sealed class PreparedBatch(IReadOnlyList<CenterMinibatch> centers) : IDisposable
{
    public IReadOnlyList<CenterMinibatch> Centers => centers;

    /// <summary>The batch on <paramref name="device"/>; the copies (none on the CPU) belong to the caller's dispose scope.</summary>
    public MultiCenterBatch On(Device device) =>
        new(centers.Select(c => c with { Images = c.Images.to(device), Labels = c.Labels.to(device) }).ToList());

    public void Dispose()
    {
        foreach (var c in centers)
        {
            c.Images.Dispose();
            c.Labels.Dispose();
        }
    }
}

/// <summary>
/// Makes the minibatches of the coming steps on background threads while the current step trains: reading and decoding
/// what the cache does not keep, cropping and flipping. A batch is a function of (seed, step) alone, so making it early,
/// on another thread, changes nothing it contains; a resumed run asks for its first step and the pipeline starts there.
/// The time <see cref="Take"/> blocks is the step's wait for its batch.
/// </summary>
public sealed class BatchPipeline : IDisposable
{
    readonly Func<int, IReadOnlyList<CellSample>[]> _cellsOf;
    readonly Func<IReadOnlyList<CellSample>[], int, PreparedBatch> _make;
    readonly int _endStep, _depth;
    readonly SortedDictionary<int, Task<PreparedBatch>> _pending = [];
    readonly Stopwatch _waiting = new();

    /// <param name="cellsOf">The cells of a step (the sampler); called on the caller's thread only.</param>
    /// <param name="make">Crops the cells of a step into a batch; called on background threads.</param>
    /// <param name="endStep">One past the last step to prepare.</param>
    /// <param name="depth">Batches prepared ahead of the one being trained on; 0 makes each batch when it is asked for.</param>
    public BatchPipeline(Func<int, IReadOnlyList<CellSample>[]> cellsOf, Func<IReadOnlyList<CellSample>[], int, PreparedBatch> make, int endStep, int depth)
    {
        if (depth < 0) throw new ArgumentException($"Batches prepared ahead must be 0 or more, not {depth}.");
        (_cellsOf, _make, _endStep, _depth) = (cellsOf, make, endStep, depth);
    }

    /// <summary>Total time <see cref="Take"/> has blocked, waiting for a batch not yet made.</summary>
    public TimeSpan Waited => _waiting.Elapsed;

    /// <summary>The batch of <paramref name="step"/> (the caller disposes it), with the following ones started.</summary>
    public PreparedBatch Take(int step)
    {
        // Batches for steps before this one are no longer wanted (a caller that jumped ahead).
        foreach (var stale in _pending.Keys.Where(s => s < step).ToList()) Discard(stale);
        _waiting.Start();
        try
        {
            if (_depth == 0) return _make(_cellsOf(step), step);
            for (int s = step; s <= step + _depth && s < _endStep; s++) Schedule(s);
            if (!_pending.Remove(step, out var task)) task = Start(step);
            return task.GetAwaiter().GetResult();
        }
        finally
        {
            _waiting.Stop();
        }
    }

    void Schedule(int step)
    {
        if (!_pending.ContainsKey(step)) _pending[step] = Start(step);
    }

    Task<PreparedBatch> Start(int step)
    {
        var cells = _cellsOf(step);
        return Task.Run(() => _make(cells, step));
    }

    void Discard(int step)
    {
        if (!_pending.Remove(step, out var task)) return;
        try { task.GetAwaiter().GetResult().Dispose(); }
        catch (Exception) { /* a batch nobody will use: its failure does not matter */ }
    }

    /// <summary>Waits for the batches still being made and frees them.</summary>
    public void Dispose()
    {
        foreach (var step in _pending.Keys.ToList()) Discard(step);
    }
}
