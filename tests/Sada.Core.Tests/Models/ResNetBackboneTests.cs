using Sada.Core.Models;
using Sada.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Models;

public class ResNetBackboneTests
{
    public ResNetBackboneTests() => Assert.True(TorchRuntime.Initialize("cpu", 1).Loaded);

    [Theory]
    [InlineData("resnet18", 512)]
    [InlineData("resnet50", 2048)]
    public void Forward_returns_layer4_map_and_its_average(string architecture, int channels)
    {
        using var scope = NewDisposeScope();
        using var backbone = new ResNetBackbone(architecture);
        Assert.Equal(channels, backbone.FeatureDim);
        var (f, r) = backbone.call(rand(2, 3, 64, 64));
        Assert.Equal([2L, channels, 2, 2], f.shape);
        Assert.Equal([2L, channels], r.shape);
        Assert.True(r.allclose(f.mean([2, 3])));
    }

    [Fact]
    public void Parameter_names_are_torchvisions_without_fc()
    {
        using var backbone = new ResNetBackbone("resnet18");
        using var reference = torchvision.models.resnet18();
        var expected = reference.state_dict().Keys.Where(k => !k.StartsWith("fc.", StringComparison.Ordinal)).Order().ToArray();
        Assert.Equal(expected, backbone.state_dict().Keys.Order().ToArray());
        Assert.Contains("layer4.1.bn2.running_mean", backbone.state_dict().Keys);
    }

    [Fact]
    public void Train_mode_keeps_batchnorm_statistics_frozen()
    {
        using var scope = NewDisposeScope();
        using var backbone = new ResNetBackbone("resnet18");
        // Through a parent module too, as algorithms call train() on the whole network.
        using var network = new CellNetwork(backbone, 3);
        network.eval();
        network.train();
        Assert.True(network.training);
        Assert.True(backbone.training);
        Assert.All(backbone.BatchNorms(), bn => Assert.False(bn.training));

        var before = backbone.state_dict().Where(kv => kv.Key.Contains("running_")).ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var logits = network.call(rand(2, 3, 64, 64) * 3);
        logits.sum().backward();
        foreach (var (key, value) in backbone.state_dict().Where(kv => kv.Key.Contains("running_")))
            Assert.True(value.allclose(before[key], rtol: 0, atol: 0), $"{key} changed in a training forward");
        // The rest trains: gradients reach the first convolution.
        Assert.NotNull(backbone.named_parameters().First(p => p.name == "conv1.weight").parameter.grad);
    }

    [Fact]
    public void Unknown_architecture_is_rejected_with_the_known_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => new ResNetBackbone("vgg16"));
        Assert.Contains("resnet18", e.Message);
    }
}
