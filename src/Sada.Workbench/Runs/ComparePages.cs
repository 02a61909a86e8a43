using Sada.Data.Entities;
using Sada.Data.Runs;
using Sada.Data.Studies;

namespace Sada.Workbench.Runs;

/// <summary>
/// Every stored metric of a run against step, by <see cref="CompareMetrics"/>' names: held-out accuracy, held-out F1-macro,
/// validation accuracy (its evaluations), and "loss: NAME" for each loss it logged (its step-level losses, or its
/// evaluations' window means when it has none).
/// </summary>
public sealed record RunSeries(int RunId, string Name, IReadOnlyDictionary<string, IReadOnlyList<(int Step, double Value)>> Metrics);

/// <summary>The names of the metrics the compare page can overlay.</summary>
public static class CompareMetrics
{
    public const string HeldOutAccuracy = "held-out accuracy";
    public const string HeldOutF1Macro = "held-out F1-macro";
    public const string ValidationAccuracy = "validation accuracy";
    public const string LossPrefix = "loss: ";

    /// <summary>The metrics any of the runs has: the three scores, then each loss name in the order the runs first report it.</summary>
    public static IReadOnlyList<string> Present(IEnumerable<RunSeries> runs)
    {
        var list = runs.ToList();
        return new[] { HeldOutAccuracy, HeldOutF1Macro, ValidationAccuracy }
            .Concat(list.SelectMany(r => r.Metrics.Keys).Where(k => k.StartsWith(LossPrefix, StringComparison.Ordinal)).Distinct(StringComparer.Ordinal))
            .Where(m => list.Any(r => r.Metrics.TryGetValue(m, out var points) && points.Count > 0)).ToList();
    }
}

/// <summary>What the compare page shows: a study's table or one over chosen completed runs, and those runs' curves of any stored metric.</summary>
public sealed class ComparePages(StudyService studies, RunCatalog catalog, RunStore store)
{
    public Task<IReadOnlyList<StudySummary>> StudiesAsync(CancellationToken cancellation = default) => studies.ListAsync(cancellation);

    public Task<IReadOnlyList<RunSummary>> CompletedRunsAsync(CancellationToken cancellation = default) =>
        catalog.ListAsync(new RunFilter(RunStatus.Completed, Limit: 500), cancellation);

    /// <summary>The study's table and its completed runs' ids; null for an unknown study.</summary>
    public async Task<(StudyTable Table, IReadOnlyList<int> RunIds)?> StudyAsync(int id, CancellationToken cancellation = default)
    {
        var table = await studies.TableAsync(id, cancellation);
        var details = await studies.GetAsync(id, cancellation);
        if (table is null || details is null) return null;
        return (table, details.Runs.Where(r => r.Status == RunStatus.Completed).Select(r => r.Id).ToList());
    }

    /// <summary>Every run of the study (queued and running included), to follow; empty for an unknown study.</summary>
    public async Task<IReadOnlyList<int>> StudyRunIdsAsync(int id, CancellationToken cancellation = default) =>
        (await studies.GetAsync(id, cancellation))?.Runs.Select(r => r.Id).ToList() ?? [];

    public Task<StudyTable> TableForRunsAsync(IReadOnlyCollection<int> runIds, CancellationToken cancellation = default) =>
        studies.TableForRunsAsync(Api.RunsApi.SelectionTitle(runIds), runIds, cancellation);

    /// <summary>The run ids of a <c>?runs=3,5</c> query (what is not a number is left out).</summary>
    public static IReadOnlyList<int> ParseIds(string? text) =>
        (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => int.TryParse(p, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : (int?)null)
            .OfType<int>().Distinct().ToList();

    /// <summary>Each run's stored metrics (<see cref="RunSeries"/>), named "#id algorithm held-out seed"; unknown runs are left out.</summary>
    public async Task<IReadOnlyList<RunSeries>> SeriesAsync(IEnumerable<int> runIds, CancellationToken cancellation = default)
    {
        var all = new List<RunSeries>();
        foreach (var id in runIds)
        {
            if (await catalog.GetAsync(id, cancellation) is not { } d) continue;
            var metrics = new Dictionary<string, IReadOnlyList<(int Step, double Value)>>(StringComparer.Ordinal);
            void Add(string name, Func<RunMetric, double?> get) =>
                metrics[name] = d.Metrics.Where(m => get(m) is not null).OrderBy(m => m.Step).Select(m => (m.Step, get(m)!.Value)).ToList();
            Add(CompareMetrics.HeldOutAccuracy, m => m.HeldOutAccuracy);
            Add(CompareMetrics.HeldOutF1Macro, m => m.HeldOutF1Macro);
            Add(CompareMetrics.ValidationAccuracy, m => m.ValidationAccuracy);
            var steps = await store.GetStepLossesAsync(id, cancellation) ?? [];
            var losses = steps.Count > 0
                ? steps.Select(r => (r.Step, Losses: RunStore.ReadLosses(r))).ToList()
                : d.Metrics.OrderBy(m => m.Step).Select(m => (m.Step, Losses: RunStore.ReadLosses(m))).ToList();
            foreach (var name in losses.SelectMany(l => l.Losses.Keys).Distinct(StringComparer.Ordinal))
                metrics[CompareMetrics.LossPrefix + name] = losses.Where(l => l.Losses.ContainsKey(name)).Select(l => (l.Step, l.Losses[name])).ToList();
            all.Add(new RunSeries(id, $"#{id} {d.Run.Algorithm} {d.Run.HoldoutCenter} s{d.Run.Seed}", metrics));
        }
        return all;
    }
}
