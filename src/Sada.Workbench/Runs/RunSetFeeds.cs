using Sada.Data.Entities;
using Sada.Data.Runs;
using Sada.Data.Runs.Events;

namespace Sada.Workbench.Runs;

/// <summary>
/// Follows many runs at once for a page that shows them together (Compare, Review): one <see cref="RunFeed"/> per run,
/// subscribed to the <see cref="RunEventBus"/> first and then given the run's stored status as its history, as the run
/// page's <see cref="RunPages.FollowAsync"/> does (so a status stored before the read is in the history, one after comes
/// live, and the feed keeps it once; a finished status is final). <see cref="Changed"/> fires (outside any lock, on the
/// publisher's thread) for each status change a feed passes on; the page re-reads what it shows from the store.
/// </summary>
public sealed class RunSetWatch : IDisposable
{
    readonly List<RunFeed> _feeds = [];
    readonly List<IDisposable> _subscriptions = [];

    /// <summary>A run's status changed (queued, running, completed, failed, cancelled): what the page shows may have.</summary>
    public event Action<RunStatusMessage>? Changed;

    public IReadOnlyList<RunFeed> Feeds => _feeds;

    /// <summary>How many of the runs followed.</summary>
    public int Total => _feeds.Count;

    /// <summary>How many have completed, as the feeds know now.</summary>
    public int Completed => _feeds.Count(f => f.Status?.Status == nameof(RunStatus.Completed));

    /// <summary>How many are training now.</summary>
    public int Running => _feeds.Count(f => f.Status?.Status == nameof(RunStatus.Running));

    /// <summary>"1/2 done" (and how many run or failed), the count a study page shows.</summary>
    public string DoneText
    {
        get
        {
            int failed = _feeds.Count(f => f.Status?.Status is nameof(RunStatus.Failed) or nameof(RunStatus.Cancelled));
            var text = $"{Completed}/{Total} done";
            if (Running > 0) text += $", {Running} running";
            if (failed > 0) text += $", {failed} failed or cancelled";
            return text;
        }
    }

    internal void Add(RunFeed feed, IDisposable subscription)
    {
        feed.Received += message =>
        {
            if (message is RunStatusMessage status) Changed?.Invoke(status);
        };
        _feeds.Add(feed);
        _subscriptions.Add(subscription);
    }

    public void Dispose()
    {
        foreach (var s in _subscriptions) s.Dispose();
        _subscriptions.Clear();
        Changed = null;
    }
}

/// <summary>Starts a <see cref="RunSetWatch"/>: subscribe every run's feed, then read their statuses into them.</summary>
public sealed class RunSetFeeds(RunEventBus bus, RunCatalog catalog)
{
    public async Task<RunSetWatch> FollowAsync(IReadOnlyCollection<int> runIds, CancellationToken cancellation = default)
    {
        var watch = new RunSetWatch();
        var feeds = runIds.Distinct().Select(id => new RunFeed(id)).ToList();
        foreach (var feed in feeds) watch.Add(feed, bus.Subscribe(feed));
        try
        {
            var statuses = (await catalog.StatusesAsync(runIds, cancellation)).ToDictionary(s => s.RunId);
            // A run deleted meanwhile has no status: its feed stays empty and counts as not done.
            foreach (var feed in feeds)
                if (statuses.TryGetValue(feed.RunId, out var status)) feed.ApplyHistory(new RunHistoryMessage(status, [], [], [], []));
        }
        catch
        {
            watch.Dispose();
            throw;
        }
        return watch;
    }
}
