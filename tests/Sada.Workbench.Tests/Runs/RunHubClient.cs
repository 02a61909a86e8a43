using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Sada.Data.Runs.Events;
using Sada.Workbench.Accounts;
using Sada.Workbench.Runs;

namespace Sada.Workbench.Tests.Runs;

/// <summary>A SignalR client of /hubs/runs over the test server, feeding one <see cref="RunFeed"/> per subscribed run.</summary>
sealed class RunHubClient : IAsyncDisposable
{
    readonly HubConnection _connection;
    readonly Dictionary<int, RunFeed> _feeds = [];
    readonly List<object> _raw = [];

    /// <summary>Every live message as it came off the wire, before any merge.</summary>
    public IReadOnlyList<object> Raw { get { lock (_raw) return _raw.ToList(); } }

    /// <summary>Status changes of a study's runs (after <see cref="SubscribeStudyAsync"/>).</summary>
    public event Action<RunStatusMessage>? StudyStatus;

    RunHubClient(HubConnection connection)
    {
        _connection = connection;
        _connection.On<RunStatusMessage>(nameof(IRunsClient.StatusChanged), s => { Record(s); StudyStatus?.Invoke(s); Feed(s.RunId)?.OnStatus(s); });
        _connection.On<MetricMessage>(nameof(IRunsClient.Evaluation), m => { Record(m); Feed(m.RunId)?.OnEvaluation(m); });
        _connection.On<ProgressMessage>(nameof(IRunsClient.Progress), p => Feed(p.RunId)?.OnProgress(p));
        _connection.On<LogMessage>(nameof(IRunsClient.Log), l => Feed(l.RunId)?.OnLog(l));
        _connection.On<EmbeddingMessage>(nameof(IRunsClient.Embedding), e => Feed(e.RunId)?.OnEmbedding(e));
        _connection.On<StepLossesMessage>(nameof(IRunsClient.StepLosses), l => Feed(l.RunId)?.OnStepLosses(l));
    }

    public static async Task<RunHubClient> ConnectAsync(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> factory)
    {
        var server = factory.Server;
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, RunsHub.Path.TrimStart('/')), o =>
            {
                o.HttpMessageHandlerFactory = _ => server.CreateHandler();
                o.Transports = HttpTransportType.LongPolling;
                // Watching needs only the read policy: the read-only role proves it.
                o.AccessTokenProvider = () => factory.TokenAsync(WorkbenchRoles.Reviewer)!;
            })
            .Build();
        await connection.StartAsync();
        return new RunHubClient(connection);
    }

    void Record(object message)
    {
        lock (_raw) _raw.Add(message);
    }

    public Task<IReadOnlyList<RunStatusMessage>> SubscribeStudyAsync(int studyId) =>
        _connection.InvokeAsync<IReadOnlyList<RunStatusMessage>>(nameof(RunsHub.SubscribeStudy), studyId);

    RunFeed? Feed(int runId)
    {
        lock (_feeds) return _feeds.GetValueOrDefault(runId);
    }

    /// <summary>Subscribes to a run; the returned task ends when the run is finished (completed, failed or cancelled).</summary>
    public async Task<(RunFeed Feed, Task<RunStatusMessage> Finished)> SubscribeAsync(int runId)
    {
        var feed = new RunFeed(runId);
        var finished = new TaskCompletionSource<RunStatusMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        feed.Received += m => { if (m is RunStatusMessage { IsFinished: true } s) finished.TrySetResult(s); };
        lock (_feeds) _feeds[runId] = feed;
        feed.ApplyHistory(await _connection.InvokeAsync<RunHistoryMessage>(nameof(RunsHub.SubscribeRun), runId));
        return (feed, finished.Task);
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
