using Sada.Data.Runs;
using Sada.Data.Studies;

namespace Sada.Workbench.Runs;

/// <summary>What the runs table reads (a page of runs, its filters' values, the newest run id) and the events it follows.</summary>
public sealed class RunsTablePages(RunCatalog catalog, StudyService studies, RunEventBus bus)
{
    public Task<RunPage> PageAsync(RunFilter filter, CancellationToken cancellation = default) => catalog.PageAsync(filter, cancellation);

    public Task<RunFacets> FacetsAsync(CancellationToken cancellation = default) => catalog.FacetsAsync(cancellation);

    public Task<IReadOnlyList<StudySummary>> StudiesAsync(CancellationToken cancellation = default) => studies.ListAsync(cancellation);

    public Task<int> LatestIdAsync(CancellationToken cancellation = default) => catalog.LatestIdAsync(cancellation);

    /// <summary>Every run's live events (by run id) until the handle is disposed.</summary>
    public IDisposable Follow(Action<int, object> listener) => bus.SubscribeAll(listener);

    /// <summary>The API's sort name for a grid column's property (null: not sortable on the server).</summary>
    public static RunSortField? SortField(string? property) => property switch
    {
        nameof(RunSummary.Id) => RunSortField.Id,
        nameof(RunSummary.Name) => RunSortField.Name,
        nameof(RunSummary.Algorithm) => RunSortField.Algorithm,
        nameof(RunSummary.Dataset) => RunSortField.Dataset,
        nameof(RunSummary.HoldoutCenter) => RunSortField.HeldOut,
        nameof(RunSummary.Seed) => RunSortField.Seed,
        nameof(RunSummary.Status) => RunSortField.Status,
        nameof(RunSummary.SelectedAccuracy) => RunSortField.F1Micro,
        nameof(RunSummary.SelectedF1Macro) => RunSortField.F1Macro,
        nameof(RunSummary.CreatedAt) => RunSortField.Created,
        _ => null,
    };
}
