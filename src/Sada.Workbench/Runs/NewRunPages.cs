using Sada.Core.Algorithms;
using Sada.Core.Runtime;
using Sada.Data;
using Sada.Data.Datasets;
using Sada.Data.Runs;
using Sada.Data.Studies;

namespace Sada.Workbench.Runs;

/// <summary>A dataset the form offers, with its centers in name order.</summary>
public sealed record DatasetChoice(int Id, string Name, IReadOnlyList<string> Centers);

/// <summary>A stored run to start again from: where it trained and its full config (its seed included).</summary>
public sealed record RunSource(int RunId, string Dataset, string HeldOut, AlgorithmConfig Config);

/// <summary>
/// What the new-run page does, kept out of the page: the datasets to choose from, a stored run to edit, queueing runs
/// and studies through the same <see cref="RunRequests"/> and <see cref="StudyService"/> the API calls (so the form and
/// the API validate alike), and the speeds measured on the device runs train on here.
/// </summary>
public sealed class NewRunPages(DatasetReads datasets, RunRequests requests, StudyService studies, RunCatalog catalog,
    RunTimeEstimator estimator, TorchStatus torch, RunLimits limits)
{
    /// <summary>The server's check of a weights path (inside the weight roots), for the form's live validation.</summary>
    public Func<string, string?> CheckWeights => limits.CheckWeights;

    /// <summary>The device the worker trains on, as runs record it.</summary>
    public string Device => torch.Device;

    public async Task<IReadOnlyList<DatasetChoice>> DatasetsAsync(CancellationToken cancellation = default)
    {
        var rows = await datasets.ReadAsync(catalog => catalog.List(), cancellation);
        return rows.Select(d => new DatasetChoice(d.Id, d.Name, d.Centers.Order(StringComparer.Ordinal).ToList())).ToList();
    }

    /// <summary>The run's dataset, held-out center and config, or null for an unknown run.</summary>
    public async Task<RunSource?> FromRunAsync(int runId, CancellationToken cancellation = default) =>
        await catalog.GetAsync(runId, cancellation) is { } d
            ? new RunSource(runId, d.Run.Dataset, d.Run.HoldoutCenter, AlgorithmConfig.FromJson(d.ConfigJson))
            : null;

    /// <summary>One queued run per held-out center and seed, all or none; returns their ids.</summary>
    public async Task<IReadOnlyList<int>> QueueRunsAsync(string dataset, IReadOnlyList<string> heldOut, IReadOnlyList<int> seeds, AlgorithmConfig config,
        CancellationToken cancellation = default)
    {
        var runs = await requests.CreateManyAsync(
            heldOut.SelectMany(center => seeds.Select(seed => new RunRequest(dataset, center, config, seed))).ToList(), cancellation);
        return runs.Select(r => r.Id).ToList();
    }

    /// <summary>
    /// The study of the form's grid (its variants x held-out centers x seeds), in one transaction, through the same
    /// <see cref="StudyService.CreateAsync"/> as POST /api/studies; returns the study's id.
    /// </summary>
    public async Task<int> QueueStudyAsync(string name, string dataset, IReadOnlyList<StudyVariant> variants, IReadOnlyList<string> heldOut,
        IReadOnlyList<int> seeds, CancellationToken cancellation = default) =>
        (await studies.CreateAsync(new StudyRequest(name, dataset, variants, heldOut, seeds), cancellation)).Id;

    public Task<IReadOnlyList<SpeedSample>> SpeedSamplesAsync(CancellationToken cancellation = default) => estimator.SamplesAsync(Device, cancellation);
}
