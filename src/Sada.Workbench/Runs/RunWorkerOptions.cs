using Sada.Core.Embedding;
using Sada.Core.Training;

namespace Sada.Workbench.Runs;

/// <summary>The training worker's settings, section Sada:Worker.</summary>
public sealed record RunWorkerOptions
{
    public const string Section = "Sada:Worker";

    /// <summary>Off: this server queues and shows runs but trains none (another process does).</summary>
    public bool Enabled { get; init; } = true;
    /// <summary>Names this worker in the Run rows; stable across restarts. Default: the machine's name and ":worker".</summary>
    public string? WorkerId { get; init; }
    /// <summary>How often an idle worker looks for a queued run.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>How often the running row is marked alive (and a cancel request read).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>A running row whose heartbeat is older than this has no live worker: any live worker requeues it (it checks every
    /// HeartbeatInterval), and cancelling it ends it at once.</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromMinutes(2);
    /// <summary>How often training progress (step, images/s, ETA) is published.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(3);
    public int EvalBatchSize { get; init; } = 16;
    public WorkerEmbeddingOptions Embedding { get; init; } = new();

    public void Validate()
    {
        if (PollInterval <= TimeSpan.Zero || HeartbeatInterval <= TimeSpan.Zero || StaleAfter <= HeartbeatInterval)
            throw new InvalidOperationException($"{Section}: PollInterval and HeartbeatInterval must be positive and StaleAfter longer than HeartbeatInterval.");
        if (EvalBatchSize < 1) throw new InvalidOperationException($"{Section}:EvalBatchSize must be at least 1.");
        if (Embedding.Budget < 4) throw new InvalidOperationException($"{Section}:Embedding:Budget must be at least 4.");
    }
}

/// <summary>t-SNE during runs, section Sada:Worker:Embedding.</summary>
public sealed record WorkerEmbeddingOptions
{
    public bool Enabled { get; init; } = true;
    public int Budget { get; init; } = StratifiedSample.DefaultBudget;
    public double Perplexity { get; init; } = 30;
    public int Iterations { get; init; } = 1000;

    public EmbeddingOptions? ToTrainer(int seed) => Enabled
        ? new EmbeddingOptions
        {
            Budget = Budget, Seed = seed,
            Tsne = new TsneOptions { Perplexity = Perplexity, Iterations = Iterations, ExaggerationIterations = Math.Min(250, Iterations) },
        }
        : null;
}
