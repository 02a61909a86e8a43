using Sada.Core.Training.Swad;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Training.Swad;

public class LossValleyTests
{
    /// <summary>A one-weight "network" whose value tells which segments were averaged.</summary>
    static WeightAverage Segment(int index, double weight, double loss)
    {
        using var net = nn.Linear(1, 1, hasBias: false);
        using (torch.no_grad()) net.weight!.fill_(weight);
        var s = new WeightAverage { EndLoss = loss };
        s.Add(net, index);
        return s;
    }

    static double Value(WeightAverage average)
    {
        using var net = nn.Linear(1, 1, hasBias: false);
        average.CopyTo(net);
        return net.weight!.item<float>();
    }

    [Fact]
    public void Falling_loss_forms_no_valley_and_the_last_segment_is_used()
    {
        using var valley = new LossValley(4, 6, 0.3);
        for (int i = 0; i < 8; i++) valley.Update(Segment(i, i, 10 - i));
        Assert.False(valley.IsConverged);
        var (model, note) = valley.Final();
        Assert.Equal(7, Value(model), 5);
        Assert.Contains("no loss valley", note);
    }

    [Fact]
    public void Valley_starts_at_the_oldest_minimum_and_takes_segments_under_the_threshold()
    {
        using var valley = new LossValley(4, 6, 0.3);
        // Segment i has weight i. Losses fall to segment 2, then stay a little above it.
        double[] losses = [3.0, 1.5, 1.0, 1.1, 1.2, 1.1];
        for (int i = 0; i < losses.Length; i++) valley.Update(Segment(i, i, losses[i]));
        Assert.True(valley.IsConverged);
        Assert.Equal(2, valley.ValleyStartStep);
        Assert.Equal((1.0 + 1.1 + 1.2 + 1.1) / 4 * 1.3, valley.Threshold!.Value, 9);
        // Segment 1 (1.5 > 1.43) stays out; 2..5 are all under the threshold and join at the end.
        var (model, note) = valley.Final();
        Assert.Equal((2 + 3 + 4 + 5) / 4.0, Value(model), 5);
        Assert.Equal(4, model.Count);
        Assert.Contains("4 segments", note);
    }

    [Fact]
    public void A_rising_loss_kills_the_valley()
    {
        using var valley = new LossValley(2, 2, 0.1);
        double[] losses = [1.0, 1.05, 1.02, 5.0, 6.0, 1.0];
        for (int i = 0; i < losses.Length; i++) valley.Update(Segment(i, i, losses[i]));
        // Valley from 0 (threshold 1.1275); 1 joins (window 1.05, 1.02); 2 is judged with 5.0: min 1.02 joins;
        // 3 is judged with 6.0: both above -> dead; 5 arrives after death and is ignored.
        Assert.True(valley.DeadValley);
        var (model, _) = valley.Final();
        Assert.Equal((0 + 1 + 2) / 3.0, Value(model), 5);
    }
}
