using Sada.Data.Entities;
using Sada.Data.Runs;
using Sada.Data.Studies;

namespace Sada.Workbench.Runs;

/// <summary>A completed run's held-out accuracy against step, named for the compare page's overlay.</summary>
public sealed record RunCurve(int RunId, string Name, IReadOnlyList<(int Step, double Value)> Points);

/// <summary>What the compare page shows: a study's table or one over chosen completed runs, and those runs' curves.</summary>
public sealed class ComparePages(StudyService studies, RunCatalog catalog)
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

    /// <summary>Each run's held-out accuracy curve, named "#id algorithm held-out seed".</summary>
    public async Task<IReadOnlyList<RunCurve>> CurvesAsync(IEnumerable<int> runIds, CancellationToken cancellation = default)
    {
        var curves = new List<RunCurve>();
        foreach (var id in runIds)
            if (await catalog.GetAsync(id, cancellation) is { } d)
                curves.Add(new RunCurve(id, $"#{id} {d.Run.Algorithm} {d.Run.HoldoutCenter} s{d.Run.Seed}",
                    d.Metrics.Where(m => m.HeldOutAccuracy is not null).Select(m => (m.Step, m.HeldOutAccuracy!.Value)).ToList()));
        return curves;
    }
}
