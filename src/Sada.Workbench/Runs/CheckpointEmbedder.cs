using System.Collections.Concurrent;
using System.Diagnostics;
using Sada.Core.Runtime;
using Sada.Core.Training;
using Sada.Data.Runs;
using Sada.Data.Runs.Events;

namespace Sada.Workbench.Runs;

/// <summary>
/// On demand, a t-SNE of a stored run's best weights (<c>&lt;data&gt;/runs/&lt;id&gt;/best.weights</c>), labelled
/// "checkpoint" at the selected step (<see cref="RunCheckpoints"/>: the best validation accuracy, earliest on a tie, as the
/// trainer and the study table select). Stored once per (run, step) and published like the worker's. Runs on its own
/// thread; the API can call it. One computation per (run, step) at a time: simultaneous requests share it.
/// </summary>
public sealed partial class CheckpointEmbedder(
    RunStore store, IRunEvents events, RunCheckpoints checkpoints, RunWorkerOptions options, TorchStatus torch, ILogger<CheckpointEmbedder> log)
{
    readonly ConcurrentDictionary<(int Run, int Step), Lazy<Task<EmbeddingMessage>>> _running = new();

    public async Task<EmbeddingMessage> EmbedAsync(int runId, CancellationToken cancellation = default)
    {
        if (!torch.Loaded) throw new InvalidOperationException($"TorchSharp did not load: {torch.Error}");
        var history = await store.GetHistoryAsync(runId, cancellation) ?? throw new KeyNotFoundException($"Run {runId} does not exist.");
        var run = history.Run;
        var checkpoint = checkpoints.Of(run, history.Metrics);
        var selected = checkpoint.Selected ?? throw new InvalidOperationException(checkpoint.Problem);
        if (history.Embeddings.FirstOrDefault(e => e.Label == EmbeddingRecord.Checkpoint && e.Step == selected.Step) is { } existing)
            return EmbeddingMessage.From(existing);
        checkpoint.Require();

        var key = (runId, selected.Step);
        // Assigned before it is shared, so the computation can remove exactly its own entry when it ends.
        Lazy<Task<EmbeddingMessage>> candidate = null!;
        candidate = new Lazy<Task<EmbeddingMessage>>(() => ShareAsync(key, candidate, checkpoint));
        return await _running.GetOrAdd(key, candidate).Value.WaitAsync(cancellation);
    }

    async Task<EmbeddingMessage> ShareAsync((int Run, int Step) key, Lazy<Task<EmbeddingMessage>> self, RunCheckpoint checkpoint)
    {
        try
        {
            // Not a caller's token: the others waiting on this computation still want it when the first gives up.
            return await ComputeAsync(checkpoint, key.Step);
        }
        finally
        {
            _running.TryRemove(KeyValuePair.Create(key, self));
        }
    }

    async Task<EmbeddingMessage> ComputeAsync(RunCheckpoint checkpoint, int step)
    {
        var run = checkpoint.Run;
        var config = checkpoint.Config;
        var dataset = await checkpoints.DatasetAsync(run, CancellationToken.None);
        var embeddingOptions = (options.Embedding with { Enabled = true }).ToTrainer(config.Seed)!;
        var clock = Stopwatch.StartNew();
        var record = await Task.Factory.StartNew(
            () => FeatureEmbedding.EmbedCheckpoint(dataset, config, checkpoint.WeightsPath, TorchRuntime.Device, embeddingOptions, step),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Computed(log, run.Id, step, clock.Elapsed.TotalSeconds);
        var row = await store.AddEmbeddingAsync(run.Id, record, CancellationToken.None);
        if (row is null)
            return EmbeddingMessage.From((await store.GetHistoryAsync(run.Id, CancellationToken.None))!.Embeddings
                .First(e => e.Label == EmbeddingRecord.Checkpoint && e.Step == step));
        var message = EmbeddingMessage.From(row);
        await events.EmbeddingAsync(RunRef.Of(run), message);
        return message;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "t-SNE of run {Run} at step {Step} computed in {Seconds:F1} s")]
    static partial void Computed(ILogger logger, int run, int step, double seconds);
}
