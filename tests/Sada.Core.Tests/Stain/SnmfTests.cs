using Sada.Core.Stain;
using Sada.Core.Tests.Golden;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Stain;

public class SnmfTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Separate_matches_golden_W_H_B(bool fused)
    {
        using var scope = NewDisposeScope();
        var g = GoldenCase.Load("snmf.json");
        using var s = Snmf.Separate(g.Tensor("X"), (int)g.Param("r"), (int)g.Param("max_iter"), g.Param("lmbda"), fused);
        GoldenCase.AssertClose(s.B, g.Tensor("B"), 1e-4, "B");
        GoldenCase.AssertClose(s.W, g.Tensor("W"), 1e-4, "W");
        GoldenCase.AssertClose(s.H, g.Tensor("H"), 1e-4, "H");
    }

    [Fact]
    public void Accepts_images_and_keeps_W_unit_and_H_non_negative()
    {
        using var scope = NewDisposeScope();
        var od = OpticalDensity.FromRgb(rand(new long[] { 2, 3, 16, 16 }, generator: new TorchSharp.torch.Generator(3)));
        using var s = Snmf.Separate(od);
        Assert.Equal(new long[] { 2, 3, 2 }, s.W.shape);
        Assert.Equal(new long[] { 2, 2, 256 }, s.H.shape);
        Assert.Equal(new long[] { 2, 3, 1 }, s.B.shape);
        Assert.True(s.W.norm(1).sub(1).abs().max().item<float>() < 1e-5f);
        Assert.True(s.H.min().item<float>() >= 0f);
        Assert.Equal(new long[] { 2, 9 }, s.Descriptors().shape);
    }

    [Fact]
    public void Fused_kernel_equals_torch_ops_when_pixels_are_not_a_multiple_of_the_simd_width()
    {
        using var scope = NewDisposeScope();
        var od = OpticalDensity.FromRgb(rand(new long[] { 3, 3, 13, 11 }, generator: new TorchSharp.torch.Generator(8)));
        using var a = Snmf.Separate(od, fused: true);
        using var b = Snmf.Separate(od, fused: false);
        GoldenCase.AssertClose(a.W, b.W, 1e-4, "W");
        GoldenCase.AssertClose(a.H, b.H, 1e-4, "H");
    }
}
