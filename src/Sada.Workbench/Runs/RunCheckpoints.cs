using System.Globalization;
using System.Text.Json;
using Sada.Core.Algorithms;
using Sada.Core.Configuration;
using Sada.Core.Data;
using Sada.Data;
using Sada.Data.Datasets;
using Sada.Data.Entities;
using Sada.Data.Runs;
using Sada.Data.Runs.Events;
using Sada.Data.Studies;

namespace Sada.Workbench.Runs;

/// <summary>One labelled image of a run's held-out center, as stored: its row id, file (by hash) and class index in the run's classes.</summary>
public sealed record HeldOutCell(long ImageId, string Hash, string Extension, int Label, string Path);

/// <summary>
/// A run's selected model as stored: the evaluation with the best validation accuracy (the study table's selection,
/// <see cref="StudyTable.Select"/>), whose network the trainer wrote to <c>best.weights</c>, the run's config and its classes
/// in training order (from that evaluation's confusion matrix, so a dataset that gained a class since still loads).
/// <see cref="Problem"/> says, in a sentence, why there is nothing to load yet.
/// </summary>
public sealed record RunCheckpoint(Run Run, RunMetric? Selected, AlgorithmConfig Config, IReadOnlyList<string> Classes, string WeightsPath)
{
    public string? Problem =>
        Selected is null ? $"Run #{Run.Id} has made no evaluation yet, so it has no selected checkpoint."
        : Classes.Count == 0 ? $"Run #{Run.Id}'s evaluation at step {Selected.Step} stores no class list."
        : !File.Exists(WeightsPath) ? $"Run #{Run.Id} has no stored weights ({WeightsPath} is missing)."
        : null;

    /// <summary>Throws <see cref="InvalidOperationException"/> with <see cref="Problem"/> when there is one.</summary>
    public RunCheckpoint Require() => Problem is { } problem ? throw new InvalidOperationException(problem) : this;
}

/// <summary>
/// Finds a run's selected checkpoint, its dataset and its held-out cells: what the on-demand t-SNE, the review's gallery and
/// prediction share, so they agree on which weights and which cells.
/// </summary>
public sealed class RunCheckpoints(RunCatalog runs, DatasetReads datasets, SadaOptions sada)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The run's checkpoint (perhaps with a <see cref="RunCheckpoint.Problem"/>); null for an unknown run.</summary>
    /// <remarks>Reads the run and its evaluations only: every prediction asks, and a run's log and t-SNE points are large.</remarks>
    public async Task<RunCheckpoint?> FindAsync(int runId, CancellationToken cancellation = default)
    {
        return await runs.EvaluatedAsync(runId, cancellation) is { } evaluated ? Of(evaluated.Run, evaluated.Evaluations) : null;
    }

    public RunCheckpoint Of(Run run, IReadOnlyList<RunMetric> metrics)
    {
        var selected = Select(metrics);
        var classes = selected is null ? [] : JsonSerializer.Deserialize<ConfusionMessage>(selected.ConfusionJson, Json)?.Classes ?? [];
        var weights = Path.Combine(sada.ResolveDataDirectory(), run.CheckpointDirectory ?? Path.Combine("runs", run.Id.ToString(CultureInfo.InvariantCulture)), "best.weights");
        return new RunCheckpoint(run, selected, AlgorithmConfig.FromJson(run.ConfigJson) with { Seed = run.Seed }, classes, weights);
    }

    /// <summary>The study table's selection: highest validation accuracy, ties to the earliest step; none without one.</summary>
    public static RunMetric? Select(IEnumerable<RunMetric> metrics)
    {
        var rows = metrics.ToList();
        var chosen = StudyTable.Select(rows.Select(m => new EvaluationPoint(m.Step, m.ValidationAccuracy, m.HeldOutAccuracy, m.HeldOutF1Macro)));
        return chosen is null ? null : rows.First(m => m.Step == chosen.Step);
    }

    /// <summary>The run's dataset as the trainer reads it.</summary>
    public Task<MultiCenterDataset> DatasetAsync(Run run, CancellationToken cancellation = default) =>
        datasets.ReadAsync(catalog => catalog.ToMultiCenterDataset(catalog.NameOf(run.DatasetId)
            ?? throw new DatasetException($"run #{run.Id}'s dataset #{run.DatasetId} no longer exists")), cancellation);

    /// <summary>
    /// Every image of the run's held-out center in the trainer's order (by id) whose class the run knows, labelled with the
    /// index of its class in <see cref="RunCheckpoint.Classes"/>.
    /// </summary>
    public async Task<IReadOnlyList<HeldOutCell>> HeldOutCellsAsync(RunCheckpoint checkpoint, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var images = await datasets.ReadAsync(catalog => catalog.ImagesOf(checkpoint.Run.DatasetId, checkpoint.Run.HoldoutCenter), cancellation);
        var label = checkpoint.Classes.Select((c, k) => (c, k)).ToDictionary(x => x.c, x => x.k);
        return images.Where(i => label.ContainsKey(i.ClassName))
            .Select(i => new HeldOutCell(i.Id, i.Hash, i.Extension, label[i.ClassName], i.Path)).ToList();
    }
}
