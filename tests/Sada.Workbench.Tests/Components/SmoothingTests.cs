using Sada.Workbench.Components.Shared;

namespace Sada.Workbench.Tests.Components;

public class SmoothingTests
{
    [Fact]
    public void Weight_zero_returns_the_values()
    {
        Assert.Equal([3.0, 1.0, 2.0], Smoothing.Ema([3.0, 1.0, 2.0], 0));
    }

    [Fact]
    public void It_is_tensorboards_debiased_moving_average()
    {
        // m1 = 0.4 * 1 = 0.4, s1 = 0.4 / 0.4 = 1; m2 = 0.6 * 0.4 + 0.4 * 3 = 1.44, s2 = 1.44 / (1 - 0.36) = 2.25;
        // m3 = 0.6 * 1.44 + 0.4 * 2 = 1.664, s3 = 1.664 / (1 - 0.216) = 2.12244...
        var smoothed = Smoothing.Ema([1.0, 3.0, 2.0], 0.6);
        Assert.Equal(1.0, smoothed[0], 12);
        Assert.Equal(2.25, smoothed[1], 12);
        Assert.Equal(1.664 / 0.784, smoothed[2], 12);
    }

    [Fact]
    public void A_constant_series_stays_constant_from_the_first_point()
    {
        Assert.All(Smoothing.Ema(Enumerable.Repeat(0.7, 50).ToList(), 0.99), v => Assert.Equal(0.7, v, 12));
    }

    [Fact]
    public void A_value_that_is_not_finite_is_passed_through_and_skipped_by_the_average()
    {
        var smoothed = Smoothing.Ema([2.0, double.NaN, 2.0], 0.5);
        Assert.True(double.IsNaN(smoothed[1]));
        Assert.Equal([2.0, 2.0], new[] { smoothed[0], smoothed[2] });
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void A_weight_outside_zero_to_one_is_refused(double weight)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Smoothing.Ema([1.0], weight));
        Assert.Contains("[0, 1)", e.Message, StringComparison.Ordinal);
    }
}
