using Sada.Core.Losses;
using Sada.Core.Models;
using Sada.Core.Tests.Golden;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Losses;

public class LocalAlignmentLossGoldenTests(ITestOutputHelper output)
{
    const double Tolerance = 1e-5;

    [Fact]
    public void Loss_on_projected_descriptors_matches_golden()
    {
        using var scope = NewDisposeScope();
        var g = GoldenCase.Load("local_alignment_projected.json");
        var loss = LocalAlignmentLoss.Compute(g.Tensor("projected"), (int)g.Param("k"));
        var err = GoldenCase.RelativeError(loss.reshape(1), g.Tensor("loss"));
        output.WriteLine($"local_alignment_projected: relative error {err:E3}");
        Assert.True(err <= Tolerance, $"relative error {err:E3}");
    }

    [Fact]
    public void Head_and_loss_on_features_match_golden()
    {
        using var scope = NewDisposeScope();
        var g = GoldenCase.Load("local_alignment_full.json");
        var head = new LocalAlignmentHead(8, (long)g.Param("hidden"), (long)g.Param("out"));
        var weights = new Dictionary<string, Tensor>
        {
            ["conv1.weight"] = g.Tensor("w1"), ["conv1.bias"] = g.Tensor("b1"),
            ["conv2.weight"] = g.Tensor("w2"), ["conv2.bias"] = g.Tensor("b2"),
        };
        head.load_state_dict(weights, strict: true);
        var loss = LocalAlignmentLoss.Compute(head.call(g.Tensor("features")), (int)g.Param("k"));
        var err = GoldenCase.RelativeError(loss.reshape(1), g.Tensor("loss"));
        output.WriteLine($"local_alignment_full: relative error {err:E3}");
        Assert.True(err <= Tolerance, $"relative error {err:E3}");
    }

    [Fact]
    public void Head_output_has_unit_length_at_every_pixel()
    {
        using var scope = NewDisposeScope();
        var head = new LocalAlignmentHead(8, 16, 4);
        var p = head.call(randn(3, 8, 2, 2));
        Assert.Equal([3L, 4, 2, 2], p.shape);
        Assert.True(p.norm(1).allclose(ones(3, 2, 2), rtol: 1e-5, atol: 1e-5));
    }

    [Fact]
    public void Identical_views_give_zero_and_k1_gives_zero()
    {
        using var scope = NewDisposeScope();
        var cell = randn([2, 1, 4, 2, 2]);
        Assert.Equal(0f, LocalAlignmentLoss.Compute(cell.expand(2, 3, 4, 2, 2).reshape(6, 4, 2, 2), 3).item<float>());
        Assert.Equal(0f, LocalAlignmentLoss.Compute(randn(2, 4, 2, 2), 1).item<float>());
    }
}
