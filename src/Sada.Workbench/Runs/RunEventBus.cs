using System.Collections.Concurrent;
using Sada.Data.Runs.Events;

namespace Sada.Workbench.Runs;

/// <summary>
/// In-process subscribers to run events: the Blazor pages, which run inside the server. A page needs no HubConnection
/// back to its own server (no second connection, no URL or auth to know); it registers a <see cref="RunFeed"/> here and
/// <see cref="BroadcastRunEvents"/>, the one <see cref="IRunEvents"/> the worker publishes through, feeds SignalR and this
/// bus alike. The page follows the hub's late-joiner contract: subscribe first, then read the history into the feed.
/// </summary>
public sealed class RunEventBus(ILogger<RunEventBus> logger)
{
    readonly ConcurrentDictionary<int, ConcurrentDictionary<RunFeed, byte>> _feeds = new();

    /// <summary>Passes the run's live events to <paramref name="feed"/> until the returned handle is disposed.</summary>
    public IDisposable Subscribe(RunFeed feed)
    {
        _feeds.GetOrAdd(feed.RunId, _ => new()).TryAdd(feed, 0);
        return new Subscription(this, feed);
    }

    /// <summary>Delivers to every page following the run. A page that throws (its circuit went away, say) is logged and
    /// skipped: it must neither stop the other pages' updates nor reach the publisher (the worker, the API).</summary>
    internal void Publish(int runId, Action<RunFeed> deliver)
    {
        if (!_feeds.TryGetValue(runId, out var feeds)) return;
        foreach (var feed in feeds.Keys)
        {
            try { deliver(feed); }
            catch (Exception e) { logger.LogWarning(e, "A page following run {Run} failed to take an event", runId); }
        }
    }

    sealed class Subscription(RunEventBus bus, RunFeed feed) : IDisposable
    {
        public void Dispose()
        {
            if (bus._feeds.TryGetValue(feed.RunId, out var feeds)) feeds.TryRemove(feed, out _);
        }
    }
}

/// <summary>The registered <see cref="IRunEvents"/>: each event goes to SignalR's clients, then to the in-process pages.</summary>
public sealed class BroadcastRunEvents(SignalRRunEvents hub, RunEventBus bus) : IRunEvents
{
    public async Task StatusChangedAsync(RunRef run, RunStatusMessage status)
    {
        await hub.StatusChangedAsync(run, status);
        bus.Publish(run.RunId, f => f.OnStatus(status));
    }

    public async Task EvaluationAsync(RunRef run, MetricMessage metric)
    {
        await hub.EvaluationAsync(run, metric);
        bus.Publish(run.RunId, f => f.OnEvaluation(metric));
    }

    public async Task ProgressAsync(RunRef run, ProgressMessage progress)
    {
        await hub.ProgressAsync(run, progress);
        bus.Publish(run.RunId, f => f.OnProgress(progress));
    }

    public async Task LogAsync(RunRef run, LogMessage log)
    {
        await hub.LogAsync(run, log);
        bus.Publish(run.RunId, f => f.OnLog(log));
    }

    public async Task EmbeddingAsync(RunRef run, EmbeddingMessage embedding)
    {
        await hub.EmbeddingAsync(run, embedding);
        bus.Publish(run.RunId, f => f.OnEmbedding(embedding));
    }
}
