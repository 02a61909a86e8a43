using Sada.Core.Data;
using Sada.Core.Imaging;
using static TorchSharp.torch;

namespace Sada.Core.Training;

/// <summary>
/// Evaluation's input, one batch at a time in order: while the caller classifies a batch, the next one is made (images
/// fetched, resized to the model size) on a background thread. At most two batches exist at once, whatever the center's size.
/// </summary>
public sealed class EvaluationBatches(IReadOnlyList<CellSample> cells, int batchSize, Func<CellSample, DecodedImage> image, int imageSize) : IDisposable
{
    Task<Tensor>? _next;
    int _nextStart = -1;

    /// <summary>The batch of cells [start, start + batchSize), (n, 3, S, S) in [0, 1]; the caller disposes it.</summary>
    public Tensor Take(int start)
    {
        if (start < 0 || start >= cells.Count) throw new ArgumentOutOfRangeException(nameof(start), $"No batch starts at cell {start} of {cells.Count}.");
        Task<Tensor> current;
        if (_next is not null && _nextStart == start) current = _next;
        else
        {
            Dispose();
            current = Start(start);
        }
        _next = null;
        if (start + batchSize < cells.Count)
        {
            _nextStart = start + batchSize;
            _next = Start(_nextStart);
        }
        return current.GetAwaiter().GetResult();
    }

    Task<Tensor> Start(int start) => Task.Run(() =>
    {
        var chunk = new List<DecodedImage>(batchSize);
        for (int i = start; i < Math.Min(cells.Count, start + batchSize); i++) chunk.Add(image(cells[i]));
        using var scope = NewDisposeScope();
        return CellTransforms.EvalBatch(chunk, imageSize).DetachFromDisposeScope();
    });

    public void Dispose()
    {
        if (_next is null) return;
        try { _next.GetAwaiter().GetResult().Dispose(); }
        catch (Exception) { /* a batch nobody will use */ }
        _next = null;
    }
}
