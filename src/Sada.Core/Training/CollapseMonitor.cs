using System.Globalization;
using Sada.Core.Algorithms;

namespace Sada.Core.Training;

/// <summary>
/// What an algorithm with a contrastive stage says about its last update: whether its contrastive loss sat at the value
/// it takes when every projection is alike (the uniform value, e.g. ln(N - 1) for SupCon over N views). Algorithm-neutral:
/// the trainer and the monitor read this, never a loss name.
/// </summary>
public interface ICollapseSignal
{
    /// <summary>The reading of the last update, or null when it had no contrastive term (stage 2, a baseline step).</summary>
    CollapseReading? LastCollapseReading { get; }
}

/// <summary>
/// One update's reading: the loss (<paramref name="Loss"/> names it for messages), its value and uniform value, and the
/// config's tolerance: how close to the uniform value counts as at it.
/// </summary>
public sealed record CollapseReading(string Loss, double Value, double Uniform, double Tolerance)
{
    /// <summary>The distance from the uniform value, in nats.</summary>
    public double Distance => Math.Abs(Value - Uniform);

    /// <summary>Whether this one step sat within the tolerance of the uniform value.</summary>
    public bool AtUniform => Distance <= Tolerance;
}

/// <summary>
/// Watches the stage-1 steps of a run: when, over the last <see cref="AlgorithmConfig.CollapseWindow"/> consecutive steps,
/// the contrastive loss sat <em>on average</em> within the tolerance of its uniform value, stage 1 has collapsed and
/// <see cref="Observe"/> returns a <see cref="StageOneCollapsed"/>, once per run. On average, not at every step: on real
/// cells a collapsed stage 1 can leave the uniform value for a few steps (by 0.01 to 0.1 nats, the projections' cosine still
/// above 0.98) and fall back, and a streak that one such step resets never fills the window (docs/stage1-collapse.md). A
/// learning stage 1 is tenths of a nat away, far above the tolerance, whatever the window. State is not checkpointed: a
/// resumed run counts its window again from the resumed step.
/// </summary>
public sealed class CollapseMonitor(int window)
{
    readonly Queue<(int Step, CollapseReading Reading)> _recent = new();
    double _distanceSum;

    /// <summary>The event, once it has been raised; null while stage 1 is healthy.</summary>
    public StageOneCollapsed? Collapsed { get; private set; }

    /// <summary>
    /// Reads one step's signal; returns the event on the step the window's mean distance reaches the tolerance, else null.
    /// A stage 1 that ends (the first step without a reading) with its last half window at the uniform value on average
    /// ended collapsed, and is reported then: a window longer than what was left of stage 1 must not hide a collapse that
    /// stage 2 then trains on.
    /// </summary>
    public StageOneCollapsed? Observe(int step, CollapseReading? reading)
    {
        if (Collapsed is not null || window < 1) return null;
        if (reading is null)
        {
            var ended = EndOfStage(step);
            _recent.Clear();
            _distanceSum = 0;
            return ended;
        }
        _recent.Enqueue((step, reading));
        _distanceSum += reading.Distance;
        if (_recent.Count > window) _distanceSum -= _recent.Dequeue().Reading.Distance;
        if (_recent.Count < window || _distanceSum / window > reading.Tolerance) return null;
        var start = _recent.Peek().Step;
        return Raise(start, step, string.Create(CultureInfo.InvariantCulture,
            $"Stage 1 collapsed at step {start}: the {reading.Loss} loss has sat at its uniform value {reading.Uniform:F4} (every projection alike) for {window} steps, up to step {step}, {_distanceSum / window:F4} from it on average (last value {reading.Value:F4}); the features learn nothing and the run's metrics come from a collapsed representation (docs/stage1-collapse.md)."));
    }

    StageOneCollapsed? EndOfStage(int step)
    {
        int half = Math.Max(1, window / 2);
        if (_recent.Count < half) return null;
        var tail = _recent.Skip(_recent.Count - half).ToList();
        var last = tail[^1].Reading;
        var mean = tail.Average(r => r.Reading.Distance);
        if (mean > last.Tolerance) return null;
        int start = tail[0].Step;
        return Raise(start, step - 1, string.Create(CultureInfo.InvariantCulture,
            $"Stage 1 collapsed at step {start}: the {last.Loss} loss sat at its uniform value {last.Uniform:F4} (every projection alike) for the last {half} steps of stage 1, up to step {step - 1}, {mean:F4} from it on average (last value {last.Value:F4}); stage 2 trains on features that learned nothing (docs/stage1-collapse.md)."));
    }

    StageOneCollapsed Raise(int start, int detectedAt, string message)
    {
        Collapsed = new StageOneCollapsed(start, detectedAt, message);
        return Collapsed;
    }
}

/// <summary>The run's StopOnCollapse: stage 1 collapsed and the config asks the run to fail.</summary>
public sealed class StageOneCollapsedException(StageOneCollapsed collapse) : Exception(collapse.Message)
{
    public StageOneCollapsed Collapse { get; } = collapse;
}
