using System.Globalization;
using Sada.Core.Algorithms;
using Sada.Data.Runs;
using Sada.Data.Runs.Events;

namespace Sada.Workbench.Runs;

/// <summary>
/// What the run page does, kept out of the page: follow a run (live subscription first, then the stored history, as the
/// hub does), cancel it through the same <see cref="RunCatalog"/> the API uses, and queue a copy of it.
/// </summary>
public sealed class RunPages(RunStore store, RunEventBus bus, RunCatalog catalog, RunRequests requests, RunCancellation cancellations)
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

    /// <summary>The run's stored config (null for an unknown run): the page shows its backbone, initialisation and BatchNorm policy.</summary>
    public async Task<AlgorithmConfig?> ConfigAsync(int runId, CancellationToken cancellation = default) =>
        await catalog.GetAsync(runId, cancellation) is { } details ? AlgorithmConfig.FromJson(details.ConfigJson) : null;

    /// <summary>Cancels the run; a queued run's new status reaches the feed (and every other follower) as a live event.</summary>
    public Task<CancelResult> CancelAsync(RunFeed feed, CancellationToken cancellation = default) =>
        cancellations.CancelAsync(feed.RunId, cancellation);

    /// <summary>Queues a run with the same dataset, held-out center, config and seed; returns its id.</summary>
    public async Task<int> RerunAsync(int runId, CancellationToken cancellation = default)
    {
        var details = await catalog.GetAsync(runId, cancellation) ?? throw new KeyNotFoundException($"no run #{runId}");
        var config = AlgorithmConfig.FromJson(details.ConfigJson);
        var run = await requests.CreateAsync(new RunRequest(details.Run.DatasetId.ToString(CultureInfo.InvariantCulture), details.Run.HoldoutCenter, config,
            details.Run.Seed, details.Run.StudyId), cancellation);
        return run.Id;
    }
}
