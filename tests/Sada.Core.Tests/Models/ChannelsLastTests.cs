using Sada.Core.Models;
using Sada.Core.Runtime;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Models;

public class ChannelsLastTests
{
    public ChannelsLastTests() => TorchRuntime.Initialize("cpu", 1);

    [Fact]
    public void A_converted_backbone_computes_the_same_and_keeps_the_format_through_its_layers()
    {
        using var backbone = new ResNetBackbone("resnet18");
        backbone.train();
        using var x = randn(2, 3, 64, 64, generator: new Generator(3));
        Assert.False(ChannelsLast.Is(x));
        var (plainMap, plainR) = backbone.call(x);

        ChannelsLast.Convert(backbone);
        using var xLast = ChannelsLast.Of(x);
        Assert.True(ChannelsLast.Is(xLast));
        Assert.True(xLast.eq(x).all().item<bool>());
        var (lastMap, lastR) = backbone.call(xLast);

        Assert.True(ChannelsLast.Is(lastMap), "layer4's map is no longer channels-last");
        Assert.True(lastR.allclose(plainR, rtol: 1e-4, atol: 1e-5));
        // Gradients still reach the re-stored weights.
        lastR.sum().backward();
        Assert.All(backbone.parameters(), p => Assert.NotNull(p.grad));
        foreach (var t in new[] { plainMap, plainR, lastMap, lastR }) t.Dispose();
    }
}
