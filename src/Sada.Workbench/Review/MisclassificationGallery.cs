using System.Collections.Concurrent;
using System.Diagnostics;
using Sada.Core.Data;
using Sada.Core.Inference;
using Sada.Core.Training;
using Sada.Workbench.Runs;

namespace Sada.Workbench.Review;

/// <summary>A held-out cell the selected checkpoint gets wrong: its image (by store hash), true and predicted class, confidence.</summary>
public sealed record MisclassifiedCell(long ImageId, string Hash, string TrueClass, string PredictedClass, float Confidence);

/// <summary>
/// The misclassified held-out cells of a run's selected checkpoint, most confident first, with what classifying them now
/// gave overall (<see cref="Confusion"/>, which should equal the stored evaluation's) and the cells that could not be read.
/// </summary>
public sealed record GalleryResult(
    int RunId, int Step, int HeldOutCells, IReadOnlyList<MisclassifiedCell> Cells, IReadOnlyList<string> Classes, int[][] Confusion,
    double Accuracy, IReadOnlyList<UnreadableImage> Unreadable, double Seconds);

/// <summary>One gallery being made or made: progress in cells, and the result.</summary>
public sealed class GalleryJob
{
    int _done, _total;

    public int Done => Volatile.Read(ref _done);
    public int Total => Volatile.Read(ref _total);
    public Task<GalleryResult> Completion { get; internal set; } = null!;

    /// <summary>Raised on the computing thread after each batch (progress); the end is <see cref="Completion"/>.</summary>
    public event Action? Changed;

    internal void Report(int done, int total)
    {
        Volatile.Write(ref _total, total);
        Volatile.Write(ref _done, done);
        Changed?.Invoke();
    }
}

/// <summary>
/// Makes a run's gallery of misclassified held-out cells on demand from its selected checkpoint, batch by batch, and keeps it
/// in memory per (run, checkpoint), so opening it again is instant and two pages asking at once share one computation.
/// A failed computation is not kept: asking again retries.
/// </summary>
public sealed class MisclassificationGallery(RunCheckpoints checkpoints, TrainedClassifiers classifiers, IHostApplicationLifetime lifetime)
{
    readonly ConcurrentDictionary<ClassifierKey, Lazy<GalleryJob>> _jobs = new();

    /// <summary>The gallery of the run's current checkpoint if it is made or being made; null otherwise.</summary>
    public async Task<GalleryJob?> FindAsync(int runId, CancellationToken cancellation = default) =>
        await checkpoints.FindAsync(runId, cancellation) is { Problem: null } checkpoint && _jobs.TryGetValue(ClassifierKey.Of(checkpoint), out var job)
            ? job.Value : null;

    /// <summary>The gallery of the run's current checkpoint, started unless it is made or being made.</summary>
    /// <exception cref="KeyNotFoundException">No such run.</exception>
    /// <exception cref="InvalidOperationException">The run has no selected checkpoint (the message says why).</exception>
    public async Task<GalleryJob> StartAsync(int runId, CancellationToken cancellation = default)
    {
        var checkpoint = (await checkpoints.FindAsync(runId, cancellation) ?? throw new KeyNotFoundException($"no run #{runId}")).Require();
        var key = ClassifierKey.Of(checkpoint);
        Lazy<GalleryJob>? added = null;
        added = _jobs.GetOrAdd(key, _ => new Lazy<GalleryJob>(() =>
        {
            var job = new GalleryJob();
            job.Completion = RunAsync(checkpoint, job, () => _jobs.TryRemove(KeyValuePair.Create(key, added!)));
            return job;
        }));
        return added.Value;
    }

    async Task<GalleryResult> RunAsync(RunCheckpoint checkpoint, GalleryJob job, Action forget)
    {
        await Task.Yield(); // the caller gets the job before the first progress event
        var stopping = lifetime.ApplicationStopping;
        try
        {
            var clock = Stopwatch.StartNew();
            var cells = await checkpoints.HeldOutCellsAsync(checkpoint, stopping);
            job.Report(0, cells.Count);
            var samples = cells.Select(c => new CellSample(0, c.Label, c.Path)).ToList();
            var progress = new InlineProgress(p => job.Report(p.Done, p.Total));
            var predictions = await classifiers.UseAsync(checkpoint, c => HeldOutPredictions.Of(c, samples, progress, stopping), stopping);
            var metrics = predictions.Metrics;
            var classes = checkpoint.Classes;
            var result = new GalleryResult(checkpoint.Run.Id, checkpoint.Selected!.Step, cells.Count,
                predictions.Misclassified.Select(p => new MisclassifiedCell(cells[p.Index].ImageId, cells[p.Index].Hash, classes[p.TrueClass],
                    p.Probabilities.PredictedClass, p.Probabilities.Confidence)).ToList(),
                classes, metrics.Confusion, metrics.Accuracy, predictions.Unreadable, clock.Elapsed.TotalSeconds);
            return result;
        }
        catch
        {
            forget(); // not kept: asking again retries
            throw;
        }
    }

    /// <summary>Reports on the computing thread (Progress&lt;T&gt; would post to a context).</summary>
    sealed class InlineProgress(Action<(int Done, int Total)> report) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) => report(value);
    }
}
