using Microsoft.EntityFrameworkCore;
using Sada.Core.Algorithms;
using Sada.Core.Configuration;
using Sada.Core.Runtime;
using Sada.Core.Training;
using Sada.Data;
using Sada.Data.Datasets;
using Sada.Data.Runs;

namespace Sada.Workbench.Runs;

/// <summary>
/// On demand, a t-SNE of a stored run's best weights (<c>&lt;data&gt;/runs/&lt;id&gt;/best.weights</c>), labelled
/// "checkpoint" at the selected step (the best validation accuracy, earliest on a tie, as the trainer selects). Stored once
/// per (run, step) and published like the worker's. Runs on its own thread; the API can call it.
/// </summary>
public sealed class CheckpointEmbedder(
    RunStore store, IRunEvents events, IDbContextFactory<SadaDbContext> dbs, SadaOptions sada, RunWorkerOptions options, TorchStatus torch)
{
    public async Task<EmbeddingMessage> EmbedAsync(int runId, CancellationToken cancellation = default)
    {
        if (!torch.Loaded) throw new InvalidOperationException($"TorchSharp did not load: {torch.Error}");
        var history = await store.GetHistoryAsync(runId, cancellation) ?? throw new KeyNotFoundException($"Run {runId} does not exist.");
        var run = history.Run;
        var selected = history.Metrics.OrderByDescending(m => m.ValidationAccuracy ?? double.NegativeInfinity).ThenBy(m => m.Step).FirstOrDefault()
                       ?? throw new InvalidOperationException($"Run {runId} has made no evaluation yet.");
        if (history.Embeddings.FirstOrDefault(e => e.Label == EmbeddingRecord.Checkpoint && e.Step == selected.Step) is { } existing)
            return EmbeddingMessage.From(existing);
        var weights = Path.Combine(sada.ResolveDataDirectory(), run.CheckpointDirectory ?? Path.Combine("runs", runId.ToString()), "best.weights");
        var config = AlgorithmConfig.FromJson(run.ConfigJson) with { Seed = run.Seed };
        var dataset = await Task.Run(() =>
        {
            using var db = dbs.CreateDbContext();
            var name = db.Datasets.Where(d => d.Id == run.DatasetId).Select(d => d.Name).Single();
            return new DatasetCatalog(db, new ImageStore(sada.ResolveDataDirectory())).ToMultiCenterDataset(name);
        }, cancellation);
        var embeddingOptions = (options.Embedding with { Enabled = true }).ToTrainer(config.Seed)!;
        var record = await Task.Factory.StartNew(
            () => FeatureEmbedding.EmbedCheckpoint(dataset, config, weights, TorchRuntime.Device, embeddingOptions, selected.Step),
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
