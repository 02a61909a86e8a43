using Sada.Core.Algorithms;
using Sada.Core.Models;
using Sada.Core.Runtime;
using Sada.Core.Tests.Algorithms;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Runtime;

public class CpuAutocastTests
{
    public CpuAutocastTests() => Assert.True(TorchRuntime.Initialize("cpu", 1).Loaded);

    [Fact]
    public void Libtorch_exposes_the_entry_points_and_a_scope_turns_autocast_on_and_back_off()
    {
        Assert.True(CpuAutocast.Available);
        Assert.False(CpuAutocast.IsOn);
        using (CpuAutocast.BFloat16Scope())
        {
            Assert.True(CpuAutocast.IsOn);
            using var a = ones(4, 8);
            using var b = ones(8, 2);
            using var product = a.matmul(b);
            Assert.Equal(ScalarType.BFloat16, product.dtype);
            using (CpuAutocast.Suspended()) Assert.False(CpuAutocast.IsOn);
            Assert.True(CpuAutocast.IsOn);
        }
        Assert.False(CpuAutocast.IsOn);
    }

    [Fact]
    public void A_bfloat16_backbone_trains_in_bfloat16_returns_float32_and_evaluates_in_float32()
    {
        manual_seed(1);
        using var backbone = new ResNetBackbone("resnet18", freezeBatchNorm: true);
        using var x = randn(2, 3, 32, 32, generator: new Generator(2));
        backbone.train();
        var (_, plain) = backbone.call(x);
        backbone.BFloat16 = true;
        var (map, r) = backbone.call(x);
        Assert.Equal(ScalarType.Float32, map.dtype);
        Assert.Equal(ScalarType.Float32, r.dtype);
        Assert.False(r.allclose(plain, rtol: 0, atol: 0), "the forward did not run in bfloat16");
        Assert.True(r.allclose(plain, rtol: 0.1, atol: 0.05), "bfloat16 strayed far from float32");
        Assert.False(CpuAutocast.IsOn);
        r.sum().backward();
        Assert.All(backbone.parameters(), p => Assert.Equal(ScalarType.Float32, p.grad!.dtype));

        backbone.eval();
        using (no_grad())
        {
            var (_, evaluated) = backbone.call(x);
            backbone.BFloat16 = false;
            var (_, evaluatedPlain) = backbone.call(x);
            Assert.True(evaluated.allclose(evaluatedPlain, rtol: 0, atol: 0), "evaluation must stay float32");
        }
    }

    [Fact]
    public void The_config_options_reach_the_network_and_a_step_still_trains()
    {
        var config = AlgorithmTests.Tiny("erm") with { BFloat16 = true, ChannelsLast = true };
        using var algorithm = AlgorithmTests.Create(config);
        var net = (CellNetwork)algorithm.Network;
        Assert.True(net.Featurizer.BFloat16);
        Assert.All(net.modules().OfType<TorchSharp.Modules.Conv2d>(), c => Assert.True(ChannelsLast.Is(c.weight!)));
        var before = AlgorithmTests.Snapshot(algorithm);
        var batch = TinyBatch.Create();
        var losses = algorithm.Update(batch, 0);
        Assert.True(double.IsFinite(losses["total"]));
        // The optimiser holds the converted weights: they moved.
        Assert.True(AlgorithmTests.Changed(algorithm, before, "featurizer.conv1.weight"));
    }
}
