namespace Sada.Workbench.Components.Shared;

/// <summary>The loss chart's smoothing: TensorBoard's exponential moving average, debiased so the first points are not pulled towards 0.</summary>
public static class Smoothing
{
    /// <summary>The largest weight the chart offers: 0.99 already averages about the last hundred points.</summary>
    public const double MaxWeight = 0.99;

    /// <summary>
    /// s_i = m_i / (1 - w^n), m_i = w m_{i-1} + (1 - w) y_i, m_0 = 0, n counting the finite values so far (TensorBoard's
    /// scalar dashboard). Weight 0 returns the values; a value that is not finite is passed through and leaves the average as it was.
    /// </summary>
    public static IReadOnlyList<double> Ema(IReadOnlyList<double> values, double weight)
    {
        if (!(weight is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(weight), weight, "The smoothing weight must be in [0, 1).");
        var smoothed = new double[values.Count];
        double last = 0;
        int count = 0;
        for (int i = 0; i < values.Count; i++)
        {
            double y = values[i];
            if (!double.IsFinite(y))
            {
                smoothed[i] = y;
                continue;
            }
            last = last * weight + (1 - weight) * y;
            count++;
            smoothed[i] = last / (1 - Math.Pow(weight, count));
        }
        return smoothed;
    }
}
