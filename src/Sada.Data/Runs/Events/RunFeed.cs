namespace Sada.Data.Runs.Events;

/// <summary>
/// A client's view of one run, merged from the history the hub's <see cref="RunsHubContract.SubscribeRun"/> returns and the live events:
/// live events that arrive before the history are held and applied after it; metrics and step-level losses are keyed by step, log lines and
/// embeddings by id, so what comes both ways is kept once. Status: a finished run's status is final. Thread-safe;
/// the pages, <c>sada watch</c> and the tests use it, and <see cref="Delivered"/> lists what it passed on, in order.
/// </summary>
public sealed class RunFeed(int runId)
{
    readonly object _gate = new();
    readonly List<object> _held = [];
    readonly SortedDictionary<int, MetricMessage> _metrics = [];
    readonly SortedDictionary<long, LogMessage> _logs = [];
    readonly SortedDictionary<long, EmbeddingMessage> _embeddings = [];
    readonly SortedDictionary<int, StepLossesMessage> _stepLosses = [];
    readonly List<object> _delivered = [];
    bool _hasHistory;

    public int RunId { get; } = runId;
    public RunStatusMessage? Status { get; private set; }
    public ProgressMessage? Progress { get; private set; }

    /// <summary>Raised (outside the lock) with each event the feed passes on: history items first, then live ones.</summary>
    public event Action<object>? Received;

    public IReadOnlyList<MetricMessage> Metrics { get { lock (_gate) return _metrics.Values.ToList(); } }
    public IReadOnlyList<LogMessage> Logs { get { lock (_gate) return _logs.Values.ToList(); } }
    public IReadOnlyList<EmbeddingMessage> Embeddings { get { lock (_gate) return _embeddings.Values.ToList(); } }
    /// <summary>The step-level losses by step.</summary>
    public IReadOnlyList<StepLossesMessage> StepLosses { get { lock (_gate) return _stepLosses.Values.ToList(); } }
    public IReadOnlyList<object> Delivered { get { lock (_gate) return _delivered.ToList(); } }

    public void ApplyHistory(RunHistoryMessage history)
    {
        var passed = new List<object>();
        lock (_gate)
        {
            if (_hasHistory) return;
            _hasHistory = true;
            Accept(history.Status, passed);
            foreach (var m in history.Metrics) Accept(m, passed);
            foreach (var l in history.Logs) Accept(l, passed);
            foreach (var e in history.Embeddings) Accept(e, passed);
            foreach (var s in history.StepLosses) Accept(s, passed);
            foreach (var live in _held) Accept(live, passed);
            _held.Clear();
        }
        Raise(passed);
    }

    public void OnStatus(RunStatusMessage status) => Live(status);
    public void OnEvaluation(MetricMessage metric) => Live(metric);
    public void OnProgress(ProgressMessage progress) => Live(progress);
    public void OnLog(LogMessage log) => Live(log);
    public void OnEmbedding(EmbeddingMessage embedding) => Live(embedding);
    public void OnStepLosses(StepLossesMessage losses) => Live(losses);

    void Live(object message)
    {
        var passed = new List<object>();
        lock (_gate)
        {
            if (!_hasHistory) _held.Add(message);
            else Accept(message, passed);
        }
        Raise(passed);
    }

    void Accept(object message, List<object> passed)
    {
        bool keep = message switch
        {
            RunStatusMessage s when s.RunId == RunId => Status is not { IsFinished: true } && (Status = s) is not null,
            MetricMessage m when m.RunId == RunId => _metrics.TryAdd(m.Step, m),
            LogMessage l when l.RunId == RunId => _logs.TryAdd(l.Id, l),
            EmbeddingMessage e when e.RunId == RunId => _embeddings.TryAdd(e.Id, e),
            StepLossesMessage l when l.RunId == RunId => _stepLosses.TryAdd(l.Step, l),
            ProgressMessage p when p.RunId == RunId => (Progress = p) is not null,
            _ => false,
        };
        if (keep)
        {
            _delivered.Add(message);
            passed.Add(message);
        }
    }

    void Raise(List<object> passed)
    {
        foreach (var message in passed) Received?.Invoke(message);
    }
}
