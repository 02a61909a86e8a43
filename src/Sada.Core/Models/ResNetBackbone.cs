using Sada.Core.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Sada.Core.Models;

/// <summary>
/// A torchvision ResNet-18 or ResNet-50 without its classification layer. The forward returns the layer4 feature
/// map F (N, C, h, w), which the local-alignment head needs, and the representation r = global average pool of F
/// (N, C). With <see cref="FreezeBatchNorm"/>, BatchNorm layers stay in eval mode (frozen statistics) whatever
/// train() is told; without, they follow train() and eval() as in PyTorch.
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
    readonly Module<Tensor, Tensor>? input_adapter;
    readonly int _sizeMultiple;
    readonly string _sizeReason;

    /// <summary>A name from <see cref="Backbones"/>.</summary>
    public string Architecture { get; }

    /// <summary>C: channels of F and width of r (512 for ResNet-18, 2048 for ResNet-50).</summary>
    public int FeatureDim { get; }

    /// <summary>BatchNorm stays in eval mode (its running statistics do not move) even in train().</summary>
    public bool FreezeBatchNorm { get; }

    /// <summary>
    /// In train mode on the CPU, the forward pass runs under bfloat16 autocast (<see cref="CpuAutocast"/>) and returns
    /// float32 outputs, so the heads, the losses and the optimiser stay float32; the backward pass follows the forward's
    /// dtypes. Eval mode (evaluation, features, prediction) is always float32. Set from <c>AlgorithmConfig.BFloat16</c>.
    /// </summary>
    public bool BFloat16 { get; set; }

    public ResNetBackbone(string architecture = "resnet50", bool freezeBatchNorm = true) : base(nameof(ResNetBackbone))
    {
        Architecture = architecture;
        FreezeBatchNorm = freezeBatchNorm;
        // Build the whole network and keep its trunk; the pooling and fc layers are not used.
        var descriptor = Backbones.Find(architecture);
        var resnet = descriptor.BuildTrunk();
        FeatureDim = descriptor.FeatureDim;
        input_adapter = descriptor.BuildInputAdapter?.Invoke();
        _sizeMultiple = descriptor.SizeMultiple;
        _sizeReason = descriptor.SizeReason;
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
        if (_sizeMultiple > 1 && (input.shape[^1] % _sizeMultiple != 0 || input.shape[^2] % _sizeMultiple != 0))
            throw new ArgumentException(
                $"The {Architecture} backbone takes images whose sides are multiples of {_sizeMultiple} px ({_sizeReason}); got {input.shape[^2]} x {input.shape[^1]}.",
                nameof(input));
        using var scope = NewDisposeScope();
        using var autocast = BFloat16 && training && input.device.type == DeviceType.CPU ? CpuAutocast.BFloat16Scope() : null;
        var x = input_adapter is null ? input : input_adapter.call(input);
        x = maxpool.call(relu.call(bn1.call(conv1.call(x))));
        x = layer1.call(x);
        x = layer2.call(x);
        x = layer3.call(x);
        var f = layer4.call(x);
        if (autocast is not null) f = f.to(float32);
        var r = f.mean([2, 3]);
        return (f.MoveToOuterDisposeScope(), r.MoveToOuterDisposeScope());
    }

    /// <summary>Sets the mode like PyTorch's train(); with <see cref="FreezeBatchNorm"/> every BatchNorm stays in eval.</summary>
    public override void train(bool train = true)
    {
        base.train(train);
        if (!FreezeBatchNorm) return;
        foreach (var (_, m) in named_modules())
            if (m is BatchNorm2d bn && bn.training) bn.eval();
    }

    /// <summary>Every BatchNorm of the trunk, for checks.</summary>
    public IEnumerable<BatchNorm2d> BatchNorms() => named_modules().Select(m => m.module).OfType<BatchNorm2d>();
}
