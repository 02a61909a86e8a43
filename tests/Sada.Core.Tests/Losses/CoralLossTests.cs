using Sada.Core.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Losses;

public class CoralLossTests
{
    [Fact]
    public void Same_features_give_zero_and_shift_gives_squared_mean_difference()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var x = randn(6, 3);
        Assert.Equal(0.0, CoralLoss.Compute(x, x).item<float>(), 6);
        // A constant shift moves only the means: penalty = mean of squared shifts; covariances are unchanged.
        var shifted = x + tensor(new float[] { 1f, 2f, 3f });
        Assert.Equal((1 + 4 + 9) / 3.0, CoralLoss.Compute(x, shifted).item<float>(), 4);
    }

    [Fact]
    public void Covariance_term_matches_a_hand_computation()
    {
        using var scope = NewDisposeScope();
        // x: two rows (0,0) and (2,0): mean (1,0), covariance [[2,0],[0,0]]; y: (0,0),(0,2): mean (0,1), cov [[0,0],[0,2]].
        var x = tensor(new float[] { 0, 0, 2, 0 }).reshape(2, 2);
        var y = tensor(new float[] { 0, 0, 0, 2 }).reshape(2, 2);
        var expected = (1.0 + 1.0) / 2 + (4.0 + 4.0) / 4;
        Assert.Equal(expected, CoralLoss.Compute(x, y).item<float>(), 5);
    }
}
