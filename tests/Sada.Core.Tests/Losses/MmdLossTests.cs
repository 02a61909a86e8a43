using Sada.Core.Losses;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Losses;

public class MmdLossTests
{
    [Fact]
    public void Same_features_give_zero_and_the_penalty_grows_as_one_domain_moves_away()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        var x = randn(8, 4, dtype: float64);
        Assert.Equal(0.0, MmdLoss.Compute(x, x).item<double>(), 9);
        var near = MmdLoss.Compute(x, x + 0.1).item<double>();
        var far = MmdLoss.Compute(x, x + 1.0).item<double>();
        Assert.True(near > 0 && far > near, $"near {near}, far {far}");
    }

    [Fact]
    public void Kernel_is_the_sum_of_gaussians_over_the_bandwidths()
    {
        using var scope = NewDisposeScope();
        // Two points at squared distance 2: sum over gamma of exp(-2 gamma); a point with itself: floored distance, 7 x exp(~0).
        var x = tensor(new double[] { 0, 0 }).reshape(1, 2);
        var y = tensor(new double[] { 1, 1 }).reshape(1, 2);
        var expected = new[] { 0.001, 0.01, 0.1, 1, 10, 100, 1000 }.Sum(g => Math.Exp(-2 * g));
        Assert.Equal(expected, MmdLoss.Kernel(x, y).item<double>(), 9);
        Assert.Equal(7.0, MmdLoss.Kernel(x, x).item<double>(), 9);
    }
}
