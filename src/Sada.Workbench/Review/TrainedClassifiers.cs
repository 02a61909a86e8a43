using Sada.Core.Inference;
using Sada.Core.Runtime;
using Sada.Workbench.Runs;

namespace Sada.Workbench.Review;

/// <summary>Which weights a classifier holds: a running run whose selection moves, or whose file is rewritten, loads anew.</summary>
public sealed record ClassifierKey(int RunId, int Step, DateTime WeightsWrittenUtc)
{
    public static ClassifierKey Of(RunCheckpoint checkpoint) =>
        new(checkpoint.Run.Id, checkpoint.Selected?.Step ?? -1, File.GetLastWriteTimeUtc(checkpoint.WeightsPath));
}

/// <summary>
/// Classifiers of runs' selected checkpoints, loaded once on the configured device and kept for the next request (the last
/// <see cref="Capacity"/>: a ResNet-50 holds about 100 MB). Work runs on a thread of its own, not the circuits' pool; one
/// classifier serves one call at a time (<see cref="CellClassifier"/>). A classifier pushed out while in use is disposed when
/// its last user is done.
/// </summary>
public sealed class TrainedClassifiers(TorchStatus torch, RunWorkerOptions options) : IDisposable
{
    public const int Capacity = 2;

    sealed class Entry(ClassifierKey key, Task<CellClassifier> loading)
    {
        public ClassifierKey Key { get; } = key;
        public Task<CellClassifier> Loading { get; } = loading;
        public int Users;
        public bool Evicted;
    }

    readonly Lock _gate = new();
    readonly List<Entry> _entries = []; // most recently used first

    /// <summary>Runs <paramref name="work"/> with the checkpoint's classifier, loading it first when it is not kept.</summary>
    /// <exception cref="InvalidOperationException">The checkpoint has a problem (no evaluation, no weights) or torch did not load.</exception>
    public async Task<T> UseAsync<T>(RunCheckpoint checkpoint, Func<CellClassifier, T> work, CancellationToken cancellation = default)
    {
        checkpoint.Require();
        if (!torch.Loaded) throw new InvalidOperationException($"TorchSharp did not load: {torch.Error}");
        var entry = Acquire(checkpoint);
        try
        {
            var classifier = await entry.Loading.WaitAsync(cancellation);
            return await Task.Factory.StartNew(() => work(classifier), cancellation, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        finally
        {
            Release(entry);
        }
    }

    /// <summary>How many classifiers are kept (for tests).</summary>
    public int Count
    {
        get { lock (_gate) return _entries.Count; }
    }

    Entry Acquire(RunCheckpoint checkpoint)
    {
        var key = ClassifierKey.Of(checkpoint);
        lock (_gate)
        {
            var entry = _entries.FirstOrDefault(e => e.Key == key && !e.Loading.IsFaulted && !e.Loading.IsCanceled);
            if (entry is null)
            {
                _entries.RemoveAll(e => e.Key == key); // a failed load is tried again
                var loading = Task.Factory.StartNew(
                    () => CellClassifier.Load(checkpoint.Config, checkpoint.Classes, checkpoint.WeightsPath, TorchRuntime.Device, options.EvalBatchSize),
                    CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                entry = new Entry(key, loading);
            }
            else _entries.Remove(entry);
            _entries.Insert(0, entry);
            entry.Users++;
            while (_entries.Count > Capacity)
            {
                var old = _entries[^1];
                _entries.RemoveAt(_entries.Count - 1);
                old.Evicted = true;
                if (old.Users == 0) DisposeWhenLoaded(old);
            }
            return entry;
        }
    }

    void Release(Entry entry)
    {
        lock (_gate)
        {
            entry.Users--;
            if (entry.Evicted && entry.Users == 0) DisposeWhenLoaded(entry);
        }
    }

    static void DisposeWhenLoaded(Entry entry) =>
        entry.Loading.ContinueWith(t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var entry in _entries)
            {
                entry.Evicted = true;
                if (entry.Users == 0) DisposeWhenLoaded(entry);
            }
            _entries.Clear();
        }
    }
}
