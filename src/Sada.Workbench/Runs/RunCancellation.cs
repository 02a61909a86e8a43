using Sada.Data.Runs;
using Sada.Data.Runs.Events;

namespace Sada.Workbench.Runs;

/// <summary>
/// Cancelling a run from a page or the API. A running run is stopped by its worker, which publishes the change; a queued
/// one is cancelled in the database alone, so this publishes its new status itself: every open page, hub client and
/// <c>sada watch</c> sees it, not only the one who pressed Cancel.
/// </summary>
public sealed class RunCancellation(RunCatalog catalog, IRunEvents events)
{
    public async Task<CancelResult> CancelAsync(int runId, CancellationToken cancellation = default)
    {
        var result = await catalog.CancelAsync(runId, cancellation);
        if (result.Outcome == CancelOutcome.Cancelled)
        {
            if (await catalog.FindAsync(runId, cancellation) is { } run)
                await events.StatusChangedAsync(new RunRef(run.Id, run.StudyId), RunStatusMessage.From(run));
        }
        return result;
    }
}
