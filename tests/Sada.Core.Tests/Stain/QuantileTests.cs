using Sada.Core.Stain;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Stain;

public class QuantileTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.01)]
    [InlineData(0.25)]
    [InlineData(0.5)]
    [InlineData(0.99)]
    [InlineData(1.0)]
    public void Equals_torch_quantile(double q)
    {
        foreach (var fused in new[] { true, false })
            EqualsTorchQuantile(q, fused);
    }

    static void EqualsTorchQuantile(double q, bool fused)
    {
        using var scope = NewDisposeScope();
        var gen = new TorchSharp.torch.Generator(7);
        foreach (var length in new long[] { 1, 2, 101, 1024, 1537, 50176 })
        {
            var x = randn(new long[] { 4, 3, length }, generator: gen);
            var expected = x.quantile(tensor(q, dtype: float32), dim: 2, keepdim: false).reshape(4, 3);
            var actual = Quantile.Of(x, q, fused: fused);
            Assert.Equal(new long[] { 4, 3 }, actual.shape);
            var diff = (actual - expected).abs().max().item<float>();
            Assert.True(diff <= 1e-6f, $"q={q} n={length} fused={fused}: max difference {diff}");
        }
    }

    [Fact]
    public void Keepdim_keeps_a_unit_last_dimension_and_ties_are_handled()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1, 1, 1, 2, 2, 9 }, [1, 6]);
        var q = Quantile.Of(x, 0.5, keepdim: true);
        Assert.Equal(new long[] { 1, 1 }, q.shape);
        Assert.Equal(1.5f, q.item<float>(), 1e-6f);
        // Repeated values on both sides of the interpolation, far from the ends (the kthvalue path).
        var many = cat([full(500, 1f), full(500, 3f), arange(1000, 1100, dtype: float32)]).unsqueeze(0);
        foreach (var level in new[] { 0.3, 0.4545, 0.4761, 0.5, 0.9, 0.90946 })
            foreach (var fused in new[] { true, false })
                Assert.Equal(many.quantile(tensor(level, dtype: float32), dim: 1).item<float>(), Quantile.Of(many, level, fused: fused).item<float>(), 1e-4f);
    }

    [Fact]
    public void Levels_stack_several_quantiles_and_agree_across_paths()
    {
        using var scope = NewDisposeScope();
        var x = randn(new long[] { 5, 3, 777 }, generator: new TorchSharp.torch.Generator(3));
        double[] qs = [0.01, 0.5, 1.0, 0.5, 0.99, 0.0];
        var fused = Quantile.Levels(x, qs);
        var ops = Quantile.Levels(x, qs, fused: false);
        Assert.Equal(new long[] { 5, 3, 6 }, fused.shape);
        Assert.True((fused - ops).abs().max().item<float>() <= 1e-6f);
        for (int i = 0; i < qs.Length; i++)
            Assert.True((fused.select(2, i) - x.quantile(tensor(qs[i], dtype: float32), dim: 2)).abs().max().item<float>() <= 1e-6f);
    }

    [Theory]
    [InlineData(256)]   // 8-bit data: every bracket is full of ties
    [InlineData(3)]     // almost constant rows
    [InlineData(0)]     // continuous values with a constant block
    public void Long_rows_with_ties_equal_torch_quantile(int levels)
    {
        using var scope = NewDisposeScope();
        var gen = new TorchSharp.torch.Generator(17);
        var x = rand(new long[] { 3, 2, 50176 }, generator: gen);
        if (levels > 0) x = x.mul(levels).floor_().div_(levels);
        else x.narrow(2, 0, 20000).fill_(0.25f);
        foreach (var q in new[] { 0.0, 0.01, 0.2, 0.3987, 0.5, 0.99, 1.0 })
        {
            var expected = x.quantile(tensor(q, dtype: float32), dim: 2);
            var diff = (Quantile.Of(x, q) - expected).abs().max().item<float>();
            Assert.True(diff <= 1e-6f, $"levels {levels} q {q}: max difference {diff}");
        }
    }
}
