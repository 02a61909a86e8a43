using Sada.Core.Algorithms;
using Sada.Data.Runs;

namespace Sada.Workbench.Runs;

/// <summary>
/// What the run page does, kept out of the page: follow a run (live subscription first, then the stored history, as the
/// hub does), cancel it through the same <see cref="RunCatalog"/> the API uses, and queue a copy of it.
/// </summary>
public sealed class RunPages(RunStore store, RunEventBus bus, RunCatalog catalog, RunRequests requests)
{
    /// <summary>
    /// Subscribes <paramref name="feed"/> to the run's live events, then applies the stored history: an event stored
    /// before the read is in the history, one stored after comes live, and the feed keeps what comes both ways once.
    /// Null (and no subscription) when the run does not exist.
    /// </summary>
    public async Task<IDisposable?> FollowAsync(RunFeed feed, CancellationToken cancellation = default)
    {
        var subscription = bus.Subscribe(feed);
        var history = await store.GetHistoryAsync(feed.RunId, cancellation);
        if (history is null)
        {
            subscription.Dispose();
            return null;
        }
        feed.ApplyHistory(RunHistoryMessage.From(history));
        return subscription;
    }

    /// <summary>
    /// Cancels through the API's <see cref="RunCatalog"/>, then passes the run's stored status to the feed (a queued run
    /// is cancelled in the database without the worker publishing anything).
    /// </summary>
    public async Task<CancelResult> CancelAsync(RunFeed feed, CancellationToken cancellation = default)
    {
        var result = await catalog.CancelAsync(feed.RunId, cancellation);
        if (await catalog.GetAsync(feed.RunId, cancellation) is { } d)
        {
            var r = d.Run;
            feed.OnStatus(new RunStatusMessage(r.Id, r.StudyId, r.Status.ToString(), r.Step, r.TotalSteps, r.Error, r.Device, d.CodeVersion,
                r.StartedAt, r.FinishedAt));
        }
        return result;
    }

    /// <summary>Queues a run with the same dataset, held-out center, config and seed; returns its id.</summary>
    public async Task<int> RerunAsync(int runId, CancellationToken cancellation = default)
    {
        var details = await catalog.GetAsync(runId, cancellation) ?? throw new KeyNotFoundException($"no run #{runId}");
        var config = AlgorithmConfig.FromJson(details.ConfigJson);
        var run = await requests.CreateAsync(new RunRequest(details.Run.DatasetId.ToString(), details.Run.HoldoutCenter, config,
            details.Run.Seed, details.Run.StudyId), cancellation);
        return run.Id;
    }
}
