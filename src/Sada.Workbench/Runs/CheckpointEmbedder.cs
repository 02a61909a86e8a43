using Sada.Core.Runtime;
using Sada.Core.Training;
using Sada.Data.Runs;
using Sada.Data.Runs.Events;

namespace Sada.Workbench.Runs;

/// <summary>
/// On demand, a t-SNE of a stored run's best weights (<c>&lt;data&gt;/runs/&lt;id&gt;/best.weights</c>), labelled
/// "checkpoint" at the selected step (<see cref="RunCheckpoints"/>: the best validation accuracy, earliest on a tie, as the
/// trainer and the study table select). Stored once
/// per (run, step) and published like the worker's. Runs on its own thread; the API can call it.
/// </summary>
public sealed class CheckpointEmbedder(
    RunStore store, IRunEvents events, RunCheckpoints checkpoints, RunWorkerOptions options, TorchStatus torch)
{
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
        var config = checkpoint.Config;
        var dataset = await checkpoints.DatasetAsync(run, cancellation);
        var embeddingOptions = (options.Embedding with { Enabled = true }).ToTrainer(config.Seed)!;
        var record = await Task.Factory.StartNew(
            () => FeatureEmbedding.EmbedCheckpoint(dataset, config, checkpoint.WeightsPath, TorchRuntime.Device, embeddingOptions, selected.Step),
            cancellation, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var row = await store.AddEmbeddingAsync(runId, record, cancellation);
        if (row is null)
            return EmbeddingMessage.From((await store.GetHistoryAsync(runId, cancellation))!.Embeddings
                .First(e => e.Label == EmbeddingRecord.Checkpoint && e.Step == selected.Step));
        var message = EmbeddingMessage.From(row);
        await events.EmbeddingAsync(RunRef.Of(run), message);
        return message;
    }
}
