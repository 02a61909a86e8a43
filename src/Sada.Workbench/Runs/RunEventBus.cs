using System.Collections.Concurrent;
using Sada.Data.Runs.Events;

namespace Sada.Workbench.Runs;

/// <summary>
/// In-process subscribers to run events: the Blazor pages, which run inside the server. A page needs no HubConnection
/// back to its own server (no second connection, no URL or auth to know); it registers a <see cref="RunFeed"/> here and
/// <see cref="BroadcastRunEvents"/>, the one <see cref="IRunEvents"/> the worker publishes through, feeds SignalR and this
/// bus alike (through Redis when workers run in other processes: <see cref="IPageEventRoute"/>). The page follows the hub's late-joiner contract: subscribe first, then read the history into the feed.
/// </summary>
public sealed class RunEventBus(ILogger<RunEventBus> logger)
{
    readonly ConcurrentDictionary<int, ConcurrentDictionary<RunFeed, byte>> _feeds = new();
    readonly ConcurrentDictionary<Action<int, object>, byte> _everyRun = new();

    /// <summary>
    /// Passes every run's live events (status, metric, progress, log line, embedding, by run id) to
    /// <paramref name="listener"/> until the handle is disposed: the runs table follows all its rows this way.
    /// </summary>
    public IDisposable SubscribeAll(Action<int, object> listener)
    {
        _everyRun.TryAdd(listener, 0);
        return new AllSubscription(this, listener);
    }

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

    /// <summary>Delivers one run message to the pages following its run.</summary>
    internal void Deliver(int runId, object message)
    {
        switch (message)
        {
            case RunStatusMessage status: Publish(runId, f => f.OnStatus(status)); break;
            case MetricMessage metric: Publish(runId, f => f.OnEvaluation(metric)); break;
            case ProgressMessage progress: Publish(runId, f => f.OnProgress(progress)); break;
            case LogMessage log: Publish(runId, f => f.OnLog(log)); break;
            case EmbeddingMessage embedding: Publish(runId, f => f.OnEmbedding(embedding)); break;
            case StepLossesMessage losses: Publish(runId, f => f.OnStepLosses(losses)); break;
            default: throw new ArgumentException($"Not a run message: {message.GetType().Name}", nameof(message));
        }
        foreach (var listener in _everyRun.Keys)
        {
            try { listener(runId, message); }
            catch (Exception e) { logger.LogWarning(e, "A page following every run failed to take an event of run {Run}", runId); }
        }
    }

    sealed class AllSubscription(RunEventBus bus, Action<int, object> listener) : IDisposable
    {
        public void Dispose() => bus._everyRun.TryRemove(listener, out _);
    }

    sealed class Subscription(RunEventBus bus, RunFeed feed) : IDisposable
    {
        public void Dispose()
        {
            if (bus._feeds.TryGetValue(feed.RunId, out var feeds)) feeds.TryRemove(feed, out _);
        }
    }
}

/// <summary>
/// How run events reach the pages of this process: straight to the <see cref="RunEventBus"/> (<see cref="LocalPageRoute"/>),
/// or through Redis to the bus of every web instance, this one included (<see cref="RedisRunEventRelay"/>), so a page sees
/// the runs a worker in another process trains.
/// </summary>
public interface IPageEventRoute
{
    /// <summary><paramref name="message"/> is one of the run messages (status, metric, progress, log line, embedding, step-level losses).</summary>
    Task SendAsync(int runId, object message);
}

/// <summary>One process: the publisher's events go straight to the pages of its own process.</summary>
public sealed class LocalPageRoute(RunEventBus bus) : IPageEventRoute
{
    public Task SendAsync(int runId, object message)
    {
        bus.Deliver(runId, message);
        return Task.CompletedTask;
    }
}

/// <summary>The registered <see cref="IRunEvents"/>: each event goes to SignalR's clients, then to the pages.</summary>
public sealed class BroadcastRunEvents(SignalRRunEvents hub, IPageEventRoute pages) : IRunEvents
{
    public async Task StatusChangedAsync(RunRef run, RunStatusMessage status)
    {
        await hub.StatusChangedAsync(run, status);
        await pages.SendAsync(run.RunId, status);
    }

    public async Task EvaluationAsync(RunRef run, MetricMessage metric)
    {
        await hub.EvaluationAsync(run, metric);
        await pages.SendAsync(run.RunId, metric);
    }

    public async Task ProgressAsync(RunRef run, ProgressMessage progress)
    {
        await hub.ProgressAsync(run, progress);
        await pages.SendAsync(run.RunId, progress);
    }

    public async Task LogAsync(RunRef run, LogMessage log)
    {
        await hub.LogAsync(run, log);
        await pages.SendAsync(run.RunId, log);
    }

    public async Task EmbeddingAsync(RunRef run, EmbeddingMessage embedding)
    {
        await hub.EmbeddingAsync(run, embedding);
        await pages.SendAsync(run.RunId, embedding);
    }

    public async Task StepLossesAsync(RunRef run, StepLossesMessage losses)
    {
        await hub.StepLossesAsync(run, losses);
        await pages.SendAsync(run.RunId, losses);
    }
}
