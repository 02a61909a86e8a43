using Sada.Core.Stain;
using Sada.Core.Tests.Golden;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Stain;

public class OpticalDensityTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FromRgb_matches_golden(bool fused)
    {
        using var scope = NewDisposeScope();
        var g = GoldenCase.Load("rgb_to_od.json");
        GoldenCase.AssertClose(OpticalDensity.FromRgb(g.Tensor("rgb"), fused), g.Tensor("od"), 1e-5, "od");
    }

    [Fact]
    public void Fused_and_torch_paths_agree_on_odd_sizes()
    {
        using var scope = NewDisposeScope();
        var rgb = rand(new long[] { 2, 3, 7, 5 }, generator: new TorchSharp.torch.Generator(1));
        rgb[0, .., 0, 0] = tensor(new float[] { 0.01f, 0.02f, 0.03f });
        rgb[1, .., 6, 4] = tensor(new float[] { 0.01f, 0.02f, 0.03f });   // a black pixel in the scalar tail
        GoldenCase.AssertClose(OpticalDensity.FromRgb(rgb, true), OpticalDensity.FromRgb(rgb, false), 1e-6, "od");
    }

    [Fact]
    public void ToRgb_matches_golden()
    {
        using var scope = NewDisposeScope();
        var g = GoldenCase.Load("od_to_rgb.json");
        GoldenCase.AssertClose(OpticalDensity.ToRgb(g.Tensor("od")), g.Tensor("rgb"), 1e-5, "rgb");
    }

    [Fact]
    public void Black_pixels_become_white_and_zero_channels_are_raised_to_eps()
    {
        using var scope = NewDisposeScope();
        // Pixel 0 black, pixel 1 one zero channel, pixel 2 mid grey.
        var rgb = tensor(new float[] { 0f, 0f, 0.5f, 0.04f, 0.5f, 0.5f, 0.01f, 0.5f, 0.5f }, [1, 3, 1, 3]);
        var od = OpticalDensity.FromRgb(rgb).data<float>().ToArray();
        Assert.All(new[] { od[0], od[3], od[6] }, v => Assert.Equal(1e-6f, v, 1e-9f));     // white: -ln 1 = 0, raised to eps
        Assert.Equal((float)-Math.Log(1e-6), od[1], 1e-3f);                              // zero channel raised to eps first
        Assert.Equal((float)-Math.Log(0.5), od[2], 1e-6f);
    }
}
