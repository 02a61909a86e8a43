using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Sada.Core.Models.ImageNet;

/// <summary>
/// One residual block of two 3x3 convolutions; when the stage changes (stride 2 or more channels), a 1x1 projection
/// shortcut (downsample = conv + BatchNorm), as torchvision's BasicBlock, so the child names match its state dicts.
/// </summary>
public sealed class BasicBlock : Module<Tensor, Tensor>
{
    readonly Module<Tensor, Tensor> conv1;
    readonly Module<Tensor, Tensor> bn1;
    readonly Module<Tensor, Tensor> conv2;
    readonly Module<Tensor, Tensor> bn2;
    readonly Module<Tensor, Tensor>? downsample;

    public BasicBlock(long inChannels, long outChannels, long stride) : base(nameof(BasicBlock))
    {
        conv1 = Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false);
        bn1 = BatchNorm2d(outChannels);
        conv2 = Conv2d(outChannels, outChannels, 3, stride: 1, padding: 1, bias: false);
        bn2 = BatchNorm2d(outChannels);
        if (stride != 1 || inChannels != outChannels)
            downsample = Sequential(Conv2d(inChannels, outChannels, 1, stride: stride, bias: false), BatchNorm2d(outChannels));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var y = functional.relu(bn1.call(conv1.call(input)));
        y = bn2.call(conv2.call(y));
        var shortcut = downsample is null ? input : downsample.call(input);
        return functional.relu(y + shortcut).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// A ResNet trunk of <see cref="BasicBlock"/>s with any number of blocks per stage, with torchvision's child names
/// (conv1, bn1, relu, maxpool, layer1 to layer4), so <see cref="ResNetBackbone"/> takes it like torchvision's own.
/// </summary>
public sealed class BasicBlockResNet : Module<Tensor, Tensor>
{
    static readonly long[] StageChannels = [64, 128, 256, 512];

    readonly Module<Tensor, Tensor> conv1;
    readonly Module<Tensor, Tensor> bn1;
    readonly Module<Tensor, Tensor> relu;
    readonly Module<Tensor, Tensor> maxpool;
    readonly Module<Tensor, Tensor> layer1;
    readonly Module<Tensor, Tensor> layer2;
    readonly Module<Tensor, Tensor> layer3;
    readonly Module<Tensor, Tensor> layer4;

    /// <summary>Blocks in layer1 to layer4.</summary>
    public IReadOnlyList<int> BlocksPerStage { get; }

    public BasicBlockResNet(IReadOnlyList<int> blocksPerStage) : base(nameof(BasicBlockResNet))
    {
        if (blocksPerStage.Count != 4 || blocksPerStage.Any(b => b < 1))
            throw new ArgumentException("A ResNet trunk has four stages of at least one block each.", nameof(blocksPerStage));
        BlocksPerStage = blocksPerStage.ToArray();
        conv1 = Conv2d(3, 64, 7, stride: 2, padding: 3, bias: false);
        bn1 = BatchNorm2d(64);
        relu = ReLU();
        maxpool = MaxPool2d(3, stride: 2, padding: 1);
        var layers = new Module<Tensor, Tensor>[4];
        long inChannels = 64;
        for (var s = 0; s < 4; s++)
        {
            var blocks = new List<Module<Tensor, Tensor>>();
            for (var b = 0; b < blocksPerStage[s]; b++)
            {
                blocks.Add(new BasicBlock(inChannels, StageChannels[s], b == 0 && s > 0 ? 2 : 1));
                inChannels = StageChannels[s];
            }
            layers[s] = Sequential(blocks);
        }
        (layer1, layer2, layer3, layer4) = (layers[0], layers[1], layers[2], layers[3]);
        RegisterComponents();
        // torchvision's initialisation, so that "from scratch" means the same as for its ResNets.
        foreach (var (_, m) in named_modules())
        {
            if (m is TorchSharp.Modules.Conv2d conv) init.kaiming_normal_(conv.weight, mode: init.FanInOut.FanOut, nonlinearity: init.NonlinearityType.ReLU);
        }
    }

    /// <summary>The layer4 feature map; <see cref="ResNetBackbone"/> calls the children itself, this is for checks.</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = maxpool.call(relu.call(bn1.call(conv1.call(input))));
        return layer4.call(layer3.call(layer2.call(layer1.call(x)))).MoveToOuterDisposeScope();
    }
}
