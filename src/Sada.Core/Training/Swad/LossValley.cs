namespace Sada.Core.Training.Swad;

/// <summary>
/// SWAD's LossValley (Cha et al., 2021), which the released SADA config turns on in stage 2. The trainer
/// averages every step's weights within a segment (the steps between two evaluations) and hands each segment
/// here with its validation loss.
/// <list type="bullet">
/// <item>The valley starts when the oldest of the last n_converge segments has the lowest loss; the threshold is
/// their mean loss times (1 + tolerance_ratio). Up to n_tolerance - n_converge segments just before the start
/// join too, while their loss is under the threshold.</item>
/// <item>A later segment joins when the lowest loss of the n_tolerance segments starting at it is under the
/// threshold; the first time it is not, the valley is dead and nothing more joins.</item>
/// <item>At the end, the segments still waiting join in order while the lowest remaining loss is under the threshold.</item>
/// </list>
/// Every segment counts once in the final average, whatever its length.
/// </summary>
public sealed class LossValley(int nConverge, int nTolerance, double toleranceRatio) : IDisposable
{
    readonly List<WeightAverage> _recent = [];   // before the valley starts
    readonly List<WeightAverage> _pending = [];  // after it starts, not yet judged
    WeightAverage? _final;

    public int? ValleyStartStep { get; private set; }
    public bool DeadValley { get; private set; }
    public double? Threshold { get; private set; }
    public bool IsConverged => ValleyStartStep is not null;

    /// <summary>Takes ownership of <paramref name="segment"/>: segments are disposed once judged, so memory stays
    /// at about max(n_converge, n_tolerance) copies of the weights.</summary>
    public void Update(WeightAverage segment)
    {
        if (DeadValley)
        {
            segment.Dispose();
            return;
        }
        if (IsConverged)
        {
            _pending.Add(segment);
            Judge(flush: false);
            return;
        }

        _recent.Add(segment);
        while (_recent.Count > Math.Max(nConverge, nTolerance)) { _recent[0].Dispose(); _recent.RemoveAt(0); }
        if (_recent.Count < nConverge) return;
        var window = _recent.Skip(_recent.Count - nConverge).ToList();
        var start = window[0];
        if (window.Skip(1).Any(s => s.EndLoss < start.EndLoss)) return;

        ValleyStartStep = start.EndStep;
        Threshold = window.Average(s => s.EndLoss) * (1 + toleranceRatio);
        _final = new WeightAverage();
        _final.Add(start);
        int at = _recent.IndexOf(start);
        for (int i = at - 1; i >= Math.Max(0, at - (nTolerance - nConverge)); i--)
        {
            if (_recent[i].EndLoss > Threshold) break;
            _final.Add(_recent[i]);
        }
        _pending.AddRange(window.Skip(1));
        foreach (var s in _recent.Where(s => !_pending.Contains(s))) s.Dispose();
        _recent.Clear();
        Judge(flush: false);
    }

    void Judge(bool flush)
    {
        while (_pending.Count > 0 && (flush || _pending.Count >= nTolerance))
        {
            if (_pending.Take(nTolerance).Min(s => s.EndLoss) > Threshold)
            {
                if (!flush) DeadValley = true;
                foreach (var s in _pending) s.Dispose();
                _pending.Clear();
                return;
            }
            _final!.Add(_pending[0]);
            _pending[0].Dispose();
            _pending.RemoveAt(0);
        }
    }

    /// <summary>The valley's average, or, when the loss never formed a valley, the last segment (the note says which).</summary>
    public (WeightAverage Model, string Note) Final()
    {
        if (!IsConverged)
        {
            var last = _recent.LastOrDefault() ?? throw new InvalidOperationException("SWAD saw no segment.");
            return (last, $"SWAD found no loss valley; the last segment's average (steps {last.StartStep}-{last.EndStep}) is used.");
        }
        if (!DeadValley) Judge(flush: true);
        return (_final!, $"SWAD averaged {_final!.Count} segments, steps {_final.StartStep}-{_final.EndStep} (valley from step {ValleyStartStep}).");
    }

    public void Dispose()
    {
        foreach (var s in _recent.Concat(_pending)) s.Dispose();
        _recent.Clear();
        _pending.Clear();
        _final?.Dispose();
    }
}
