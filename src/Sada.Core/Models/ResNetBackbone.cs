using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Sada.Core.Models;

/// <summary>
/// A torchvision ResNet-18 or ResNet-50 without its classification layer. The forward returns the layer4 feature
/// map F (N, C, h, w), which the local-alignment head needs, and the representation r = global average pool of F
/// (N, C). BatchNorm layers always stay in eval mode (frozen ImageNet statistics), whatever train() is told.
/// </summary>
public sealed class ResNetBackbone : Module<Tensor, (Tensor FeatureMap, Tensor Representation)>
{
    // Field names are torchvision's, so a PyTorch state dict's keys (conv1.weight, layer1.0.bn1.running_mean, ...) match.
    readonly Module<Tensor, Tensor> conv1;
    readonly Module<Tensor, Tensor> bn1;
    readonly Module<Tensor, Tensor> relu;
    readonly Module<Tensor, Tensor> maxpool;
    readonly Module<Tensor, Tensor> layer1;
    readonly Module<Tensor, Tensor> layer2;
    readonly Module<Tensor, Tensor> layer3;
    readonly Module<Tensor, Tensor> layer4;

    /// <summary>A name from <see cref="Backbones"/>.</summary>
    public string Architecture { get; }

    /// <summary>C: channels of F and width of r (512 for ResNet-18, 2048 for ResNet-50).</summary>
    public int FeatureDim { get; }

    public ResNetBackbone(string architecture = "resnet50") : base(nameof(ResNetBackbone))
    {
        Architecture = architecture;
        // Build the whole network and keep its trunk; the pooling and fc layers are not used.
        var descriptor = Backbones.Find(architecture);
        var resnet = descriptor.BuildTrunk();
        FeatureDim = descriptor.FeatureDim;
        var parts = resnet.named_children().ToDictionary(c => c.name, c => c.module);
        conv1 = Part(parts, "conv1");
        bn1 = Part(parts, "bn1");
        relu = Part(parts, "relu");
        maxpool = Part(parts, "maxpool");
        layer1 = Part(parts, "layer1");
        layer2 = Part(parts, "layer2");
        layer3 = Part(parts, "layer3");
        layer4 = Part(parts, "layer4");
        foreach (var unused in new[] { "avgpool", "flatten", "fc" })
            if (parts.TryGetValue(unused, out var m)) m.Dispose();
        RegisterComponents();
        train();
    }

    static Module<Tensor, Tensor> Part(Dictionary<string, nn.Module> parts, string name) =>
        parts.TryGetValue(name, out var m) && m is Module<Tensor, Tensor> typed
            ? typed
            : throw new InvalidOperationException($"torchvision's ResNet has no '{name}' layer; the TorchVision package changed shape.");

    public override (Tensor FeatureMap, Tensor Representation) forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = maxpool.call(relu.call(bn1.call(conv1.call(input))));
        x = layer1.call(x);
        x = layer2.call(x);
        x = layer3.call(x);
        var f = layer4.call(x);
        var r = f.mean([2, 3]);
        return (f.MoveToOuterDisposeScope(), r.MoveToOuterDisposeScope());
    }

    /// <summary>Sets the mode like PyTorch's train(), except that every BatchNorm stays in eval (frozen statistics).</summary>
    public override void train(bool train = true)
    {
        base.train(train);
        foreach (var (_, m) in named_modules())
            if (m is BatchNorm2d bn && bn.training) bn.eval();
    }

    /// <summary>Every BatchNorm of the trunk, for checks.</summary>
    public IEnumerable<BatchNorm2d> BatchNorms() => named_modules().Select(m => m.module).OfType<BatchNorm2d>();
}
