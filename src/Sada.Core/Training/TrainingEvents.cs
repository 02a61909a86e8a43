using Sada.Core.Evaluation;

namespace Sada.Core.Training;

/// <summary>What a run reports while it trains, through an <see cref="IProgress{T}"/> a web app can forward.</summary>
public abstract record TrainingEvent;

public sealed record TrainingLog(string Level, string Message) : TrainingEvent;

/// <summary>
/// Sent every few seconds: where the run is and how fast it goes; <paramref name="BatchWaitMs"/> is the mean time a step
/// waited for its minibatch since the previous report (0 when the pipeline keeps ahead).
/// </summary>
public sealed record TrainingProgress(
    int Step, int TotalSteps, int Stage, double ImagesPerSecond, double ElapsedSeconds, double? EtaSeconds,
    IReadOnlyDictionary<string, double> Losses, double BatchWaitMs = 0) : TrainingEvent;

/// <summary>
/// The training losses at a logged step (every <c>LogEvery</c> steps, the last step of each stage and of the run): each loss
/// averaged over the steps since the previous logged one that reported it, by the algorithm's own names.
/// </summary>
public sealed record TrainingStepLosses(int Step, int Stage, IReadOnlyDictionary<string, double> Losses) : TrainingEvent;

/// <summary>Held-out center metrics with class names attached.</summary>
public sealed record HeldOutEvaluation(
    double Accuracy, double F1Macro, IReadOnlyDictionary<string, double?> Recall, IReadOnlyList<string> Classes, int[][] Confusion, int Count)
{
    public double F1Micro => Accuracy;

    public static HeldOutEvaluation From(ClassificationMetrics m, IReadOnlyList<string> classes) =>
        new(m.Accuracy, m.F1Macro, classes.Select((c, i) => (c, m.Recall[i])).ToDictionary(x => x.c, x => x.Item2), classes, m.Confusion, m.Count);
}

/// <summary>
/// One evaluation: the mean of each loss since the previous one, held-out metrics, and validation accuracy per
/// training center (whose mean drives model selection).
/// </summary>
public sealed record EvaluationRecord(
    int Step, int Stage, IReadOnlyDictionary<string, double> Losses, HeldOutEvaluation HeldOut,
    IReadOnlyDictionary<string, double> Validation, double ValidationAccuracy, double ValidationLoss, double ImagesPerSecond, double ElapsedSeconds) : TrainingEvent;

/// <summary>A run continued from a checkpoint: the evaluations it had already made, so a listener can reconcile.</summary>
public sealed record TrainingResumed(int FromStep, IReadOnlyList<EvaluationRecord> Evaluations) : TrainingEvent;

/// <summary>A loss became NaN or infinite.</summary>
public sealed class TrainingDivergedException(int step, string loss, double value)
    : Exception($"Training diverged at step {step}: loss '{loss}' is {value}. Lower the learning rate or check the data.")
{
    public int Step { get; } = step;
    public string Loss { get; } = loss;
}

/// <summary>
/// Stage 1's contrastive loss sat at its uniform value (every projection alike) from <paramref name="Step"/> for the
/// config's CollapseWindow steps, up to <paramref name="DetectedAt"/>; raised once per run by <see cref="CollapseMonitor"/>.
/// </summary>
public sealed record StageOneCollapsed(int Step, int DetectedAt, string Message) : TrainingEvent;
