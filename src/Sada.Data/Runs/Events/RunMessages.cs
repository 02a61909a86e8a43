using System.Text.Json;
using Sada.Core.Training;
using Sada.Data.Entities;

namespace Sada.Data.Runs.Events;

/// <summary>A run and the study it belongs to, if any: where its events go (the run's group and the study's).</summary>
public sealed record RunRef(int RunId, int? StudyId)
{
    public static RunRef Of(Run run) => new(run.Id, run.StudyId);
}

/// <summary>
/// A run's status and where it is; <paramref name="CollapseStep"/> is the step from which its stage 1 sat collapsed (the
/// contrastive loss at its uniform value for the config's CollapseWindow), null while it has not.
/// </summary>
public sealed record RunStatusMessage(
    int RunId, int? StudyId, string Status, int Step, int TotalSteps, string? Error, string? Device, string? CodeVersion,
    DateTime? StartedAt, DateTime? FinishedAt, int? CollapseStep = null)
{
    public bool IsFinished => Status is nameof(RunStatus.Completed) or nameof(RunStatus.Failed) or nameof(RunStatus.Cancelled);

    public static RunStatusMessage From(Run run) => new(run.Id, run.StudyId, run.Status.ToString(), run.Step, run.TotalSteps, run.Error,
        run.Device, run.CodeVersion, run.StartedAt, run.FinishedAt, run.CollapseStep);
}

/// <summary>Held-out confusion matrix: rows are the true class.</summary>
public sealed record ConfusionMessage(IReadOnlyList<string> Classes, int[][] Counts);

/// <summary>One evaluation, exactly as its <see cref="RunMetric"/> row holds it; <see cref="Losses"/> by the algorithm's names.</summary>
public sealed record MetricMessage(
    int RunId, int Step, int Stage, IReadOnlyDictionary<string, double> Losses,
    double? HeldOutAccuracy, double? HeldOutF1Macro, IReadOnlyDictionary<string, double?> PerClassRecall, ConfusionMessage Confusion,
    double? ValidationAccuracy, IReadOnlyDictionary<string, double> Validation, double? ImagesPerSecond, double ElapsedSeconds)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static MetricMessage From(RunMetric m) => new(m.RunId, m.Step, m.Stage, RunStore.ReadLosses(m),
        m.HeldOutAccuracy, m.HeldOutF1Macro,
        JsonSerializer.Deserialize<Dictionary<string, double?>>(m.PerClassRecallJson, Json) ?? [],
        JsonSerializer.Deserialize<ConfusionMessage>(m.ConfusionJson, Json) ?? new ConfusionMessage([], []),
        m.ValidationAccuracy, JsonSerializer.Deserialize<Dictionary<string, double>>(m.ValidationJson, Json) ?? [],
        m.ImagesPerSecond, m.ElapsedSeconds);
}

/// <summary>
/// The training losses of one logged step (every <c>LogEvery</c> steps), as its <see cref="RunStepLosses"/> row holds them:
/// each averaged over the steps since the previous logged one, by the algorithm's names.
/// </summary>
public sealed record StepLossesMessage(int RunId, int Step, int Stage, IReadOnlyDictionary<string, double> Losses)
{
    public static StepLossesMessage From(RunStepLosses row) => new(row.RunId, row.Step, row.Stage, RunStore.ReadLosses(row));
}

/// <summary>Sent every few seconds while a run trains (never stored).</summary>
public sealed record ProgressMessage(
    int RunId, int Step, int TotalSteps, int Stage, double ImagesPerSecond, double ElapsedSeconds, double? EtaSeconds,
    IReadOnlyDictionary<string, double> Losses)
{
    public static ProgressMessage From(int runId, TrainingProgress p) =>
        new(runId, p.Step, p.TotalSteps, p.Stage, p.ImagesPerSecond, p.ElapsedSeconds, p.EtaSeconds, p.Losses);
}

/// <summary>A stored log line; <see cref="Id"/> orders them and tells a duplicate.</summary>
public sealed record LogMessage(int RunId, long Id, DateTime At, string Level, string Message)
{
    public static LogMessage From(RunLogLine l) => new(l.RunId, l.Id, l.At, l.Level, l.Message);
}

/// <summary>A stored t-SNE: points with their center and class, the domain-mixing score (k-NN center accuracy) and KL.</summary>
public sealed record EmbeddingMessage(int RunId, long Id, int Step, string Label, IReadOnlyList<EmbeddingPoint> Points, double MixingScore, double KlDivergence)
{
    public static EmbeddingMessage From(TsneEmbedding t) => new(t.RunId, t.Id, t.Step, t.Label, RunStore.ReadPoints(t), t.MixingScore, t.KlDivergence);
}

/// <summary>What is stored of a run when a client subscribes.</summary>
public sealed record RunHistoryMessage(RunStatusMessage Status, IReadOnlyList<MetricMessage> Metrics, IReadOnlyList<LogMessage> Logs, IReadOnlyList<EmbeddingMessage> Embeddings,
    IReadOnlyList<StepLossesMessage> StepLosses)
{
    public static RunHistoryMessage From(RunHistory h) => new(RunStatusMessage.From(h.Run), h.Metrics.Select(MetricMessage.From).ToList(),
        h.Logs.Select(LogMessage.From).ToList(), h.Embeddings.Select(EmbeddingMessage.From).ToList(), h.StepLosses.Select(StepLossesMessage.From).ToList());
}

/// <summary>
/// What the hub calls on its clients (SignalR's typed client): one method per kind of event. A client that is not a
/// typed hub (<c>sada watch</c>) registers its handlers under these methods' names (nameof), so a rename breaks the build.
/// </summary>
public interface IRunsClient
{
    Task StatusChanged(RunStatusMessage status);
    Task Evaluation(MetricMessage metric);
    Task Progress(ProgressMessage progress);
    Task Log(LogMessage log);
    Task Embedding(EmbeddingMessage embedding);
    Task StepLosses(StepLossesMessage losses);
}

/// <summary>The hub's address and the methods a client invokes on it, shared by the server and its clients.</summary>
public static class RunsHubContract
{
    public const string Path = "/hubs/runs";
    /// <summary>Joins the run's group, then returns its <see cref="RunHistoryMessage"/>.</summary>
    public const string SubscribeRun = nameof(SubscribeRun);
    public const string UnsubscribeRun = nameof(UnsubscribeRun);
    /// <summary>Joins the study's group, then returns its runs' <see cref="RunStatusMessage"/>s.</summary>
    public const string SubscribeStudy = nameof(SubscribeStudy);
    public const string UnsubscribeStudy = nameof(UnsubscribeStudy);
}
