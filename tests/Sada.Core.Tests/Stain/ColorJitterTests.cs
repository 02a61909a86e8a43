using Sada.Core.Stain;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Stain;

public class ColorJitterTests
{
    // One image, 2 pixels: (R, G, B) = (0.2, 0.4, 0.6) and (0.8, 0.5, 0.1).
    static Tensor Tiny() => tensor(new float[] { 0.2f, 0.8f, 0.4f, 0.5f, 0.6f, 0.1f }, [1, 3, 1, 2]);

    static float[] Values(Tensor t) => t.data<float>().ToArray();

    static void Close(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-5, $"[{i}] expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void Brightness_multiplies_and_clamps()
    {
        using var scope = NewDisposeScope();
        var x = Tiny();
        ColorJitter.Brightness_(x, tensor(new float[] { 1.5f }));
        Close([0.3f, 1.0f, 0.6f, 0.75f, 0.9f, 0.15f], Values(x));
    }

    [Fact]
    public void Contrast_blends_with_the_mean_gray()
    {
        using var scope = NewDisposeScope();
        var x = Tiny();
        float g1 = 0.2989f * 0.2f + 0.587f * 0.4f + 0.114f * 0.6f, g2 = 0.2989f * 0.8f + 0.587f * 0.5f + 0.114f * 0.1f;
        float m = (g1 + g2) / 2, f = 0.5f;
        ColorJitter.Contrast_(x, tensor(new float[] { f }));
        Close(new[] { 0.2f, 0.8f, 0.4f, 0.5f, 0.6f, 0.1f }.Select(v => f * v + (1 - f) * m).ToArray(), Values(x));
    }

    [Fact]
    public void Saturation_blends_with_the_gray_image()
    {
        using var scope = NewDisposeScope();
        var x = Tiny();
        float g1 = 0.2989f * 0.2f + 0.587f * 0.4f + 0.114f * 0.6f, g2 = 0.2989f * 0.8f + 0.587f * 0.5f + 0.114f * 0.1f;
        float f = 1.25f;
        ColorJitter.Saturation_(x, tensor(new float[] { f }));
        float[] gray = [g1, g2, g1, g2, g1, g2];
        Close(new[] { 0.2f, 0.8f, 0.4f, 0.5f, 0.6f, 0.1f }.Select((v, i) => Math.Clamp(f * v + (1 - f) * gray[i], 0f, 1f)).ToArray(), Values(x));
    }

    [Fact]
    public void Hue_rotates_the_colour_circle()
    {
        using var scope = NewDisposeScope();
        // Pixel 1 (0.2, 0.4, 0.6): H = 7/12, S = 2/3, V = 0.6. Shifted by +1/6 to H = 3/4 (between blue and magenta):
        // R = V (1 - S (1 - f)) with f = 0.5 -> 0.4, G = V (1 - S) = 0.2, B = V = 0.6.
        // Pixel 2 (0.8, 0.5, 0.1): H = (G - B) / (V - min) / 6 = 2/21 (orange), S = 7/8, V = 0.8. Shifted to
        // 2/21 + 1/6 = 11/42, sector 1 (f = 6h - 1 = 4/7): R = V (1 - S f) = 0.4, G = V = 0.8, B = V (1 - S) = 0.1.
        var x = Tiny();
        ColorJitter.Hue_(x, tensor(new float[] { 1f / 6 }));
        Close([0.4f, 0.4f, 0.2f, 0.8f, 0.6f, 0.1f], Values(x));
    }

    [Fact]
    public void Hue_round_trip_with_zero_shift_is_identity_and_matches_grays()
    {
        using var scope = NewDisposeScope();
        var x = rand(new long[] { 2, 3, 4, 4 }, generator: new TorchSharp.torch.Generator(2));
        x[0, .., 0, 0] = tensor(new float[] { 0.3f, 0.3f, 0.3f });               // a gray pixel (S = 0)
        var y = x.clone();
        ColorJitter.Hue_(y, tensor(new float[] { 0f, 0f }));
        Assert.True((y - x).abs().max().item<float>() < 1e-5f);
    }

    [Fact]
    public void Each_image_gets_its_own_factors_and_order()
    {
        using var scope = NewDisposeScope();
        var one = Tiny();
        var batch = cat([one, one], 0);
        var jitter = new ColorJitter(0.5, 0.5, 0.5, 0.1);
        // Image 0: brightness 1.5 then saturation 0.5; image 1: the other way round (others neutral: hue 0).
        float[] factors = [1.5f, 1f, 0.5f, 0f, 1.5f, 1f, 0.5f, 0f];
        var y = jitter.Apply(batch, factors, [[0, 2, 1, 3], [2, 0, 1, 3]]);
        var a = one.clone(); ColorJitter.Brightness_(a, tensor(new float[] { 1.5f })); ColorJitter.Saturation_(a, tensor(new float[] { 0.5f }));
        var b = one.clone(); ColorJitter.Saturation_(b, tensor(new float[] { 0.5f })); ColorJitter.Brightness_(b, tensor(new float[] { 1.5f }));
        Close(Values(a), Values(y[0]));
        Close(Values(b), Values(y[1]));
        Assert.False(a.allclose(b));
    }

    [Fact]
    public void Random_jitter_is_seeded_and_stays_in_range()
    {
        using var scope = NewDisposeScope();
        var x = rand(new long[] { 6, 3, 8, 8 }, generator: new TorchSharp.torch.Generator(4));
        var jitter = new ColorJitter();
        var a = jitter.Apply(x, new TorchSharp.torch.Generator(1));
        var b = jitter.Apply(x, new TorchSharp.torch.Generator(1));
        var c = jitter.Apply(x, new TorchSharp.torch.Generator(2));
        Assert.Equal(0f, (a - b).abs().max().item<float>());
        Assert.False(a.allclose(c));
        Assert.True(a.min().item<float>() >= 0f && a.max().item<float>() <= 1f);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(13)]   // 169 pixels: not a multiple of the SIMD width, so the tail path runs
    public void Fused_cpu_kernel_equals_the_torch_ops(int size)
    {
        using var scope = NewDisposeScope();
        var gen = new TorchSharp.torch.Generator(21);
        var x = rand(new long[] { 8, 3, size, size }, generator: gen);
        x[0, .., 0, 0] = tensor(new float[] { 0.5f, 0.5f, 0.5f });
        x[1, .., 0, 0] = tensor(new float[] { 0.7f, 0.7f, 0.2f });
        var jitter = new ColorJitter(0.4, 0.4, 0.4, 0.3);
        var u = rand(new long[] { 8, 4 }, generator: gen).data<float>().ToArray();
        float[] factors = u.Select((v, i) => i % 4 == 3 ? (v - 0.5f) * 0.6f : 0.6f + 0.8f * v).ToArray();
        int[][] orders = Enumerable.Range(0, 8).Select(i => new[] { i % 4, (i + 1) % 4, (i + 2) % 4, (i + 3) % 4 }).ToArray();
        orders[7] = [3, 1, 0, 2];
        var fused = jitter.Apply(x, factors, orders, fused: true);
        var ops = jitter.Apply(x, factors, orders, fused: false);
        var diff = (fused - ops).abs().max().item<float>();
        Assert.True(diff < 1e-5f, $"max difference {diff}");
    }

    [Fact]
    public void Fused_single_operations_match_hand_values()
    {
        using var scope = NewDisposeScope();
        var jitter = new ColorJitter(0.5, 0.5, 0.5, 0.5);
        // Brightness 1.5 alone, then hue +1/6 alone (the other three ops switched off by their neutral factors is not
        // possible for hue, so each op runs on its own through orders of one element).
        var b = jitter.Apply(Tiny(), [1.5f, 1f, 1f, 0f], [[0]]);
        Close([0.3f, 1.0f, 0.6f, 0.75f, 0.9f, 0.15f], Values(b));
        var h = jitter.Apply(Tiny(), [1f, 1f, 1f, 1f / 6], [[3]]);
        Close([0.4f, 0.4f, 0.2f, 0.8f, 0.6f, 0.1f], Values(h));
    }
}
