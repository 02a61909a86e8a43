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
/// One update's reading: the loss (<paramref name="Loss"/> names it for messages), its value and uniform value, and whether it
/// sat within the config's tolerance of the uniform value.
/// </summary>
public sealed record CollapseReading(string Loss, double Value, double Uniform, bool AtUniform);

/// <summary>
/// Counts consecutive updates whose contrastive loss sat at its uniform value; when <see cref="AlgorithmConfig.CollapseWindow"/>
/// of them follow one another, stage 1 has collapsed and <see cref="Observe"/> returns a <see cref="StageOneCollapsed"/>, once per run.
/// State is not checkpointed: a resumed run counts its window again from the resumed step.
/// </summary>
public sealed class CollapseMonitor(int window)
{
    int _streakStart = -1;
    int _streak;
    CollapseReading? _last;

    /// <summary>The event, once it has been raised; null while stage 1 is healthy.</summary>
    public StageOneCollapsed? Collapsed { get; private set; }

    /// <summary>
    /// Reads one step's signal; returns the event on the step the window fills, else null. A stage 1 that ends (the first
    /// step without a reading) after at least half the window at the uniform value ended collapsed, and is reported then:
    /// a window longer than what was left of stage 1 must not hide a collapse that stage 2 then trains on.
    /// </summary>
    public StageOneCollapsed? Observe(int step, CollapseReading? reading)
    {
        if (Collapsed is not null || window < 1) return null;
        if (reading is not { AtUniform: true })
        {
            // Stage 1 ended (no reading) while its last steps sat at the uniform value.
            var endedCollapsed = reading is null && _streak >= Math.Max(1, window / 2);
            var (start, streak, last) = (_streakStart, _streak, _last);
            _streak = 0;
            _streakStart = -1;
            _last = null;
            if (!endedCollapsed || last is null) return null;
            return Raise(start, step - 1, string.Create(CultureInfo.InvariantCulture,
                $"Stage 1 collapsed at step {start}: the {last.Loss} loss sat at its uniform value {last.Uniform:F4} (every projection alike) for the last {streak} steps of stage 1, up to step {step - 1} (last value {last.Value:F4}); stage 2 trains on features that learned nothing (docs/stage1-collapse.md)."));
        }
        if (_streak == 0) _streakStart = step;
        _streak++;
        _last = reading;
        if (_streak < window) return null;
        return Raise(_streakStart, step, string.Create(CultureInfo.InvariantCulture,
            $"Stage 1 collapsed at step {_streakStart}: the {reading.Loss} loss has sat at its uniform value {reading.Uniform:F4} (every projection alike) for {_streak} steps, up to step {step} (last value {reading.Value:F4}); the features learn nothing and the run's metrics come from a collapsed representation (docs/stage1-collapse.md)."));
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
