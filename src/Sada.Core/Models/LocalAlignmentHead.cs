using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Sada.Core.Models;

/// <summary>
/// SADA's local-alignment head on the layer4 feature map: 1x1 conv C -> hidden, ReLU, 1x1 conv hidden -> out, then
/// L2 normalisation over channels at every pixel, so the LA loss compares directions of local descriptors.
/// </summary>
public sealed class LocalAlignmentHead : Module<Tensor, Tensor>
{
    readonly Conv2d conv1;
    readonly ReLU relu;
    readonly Conv2d conv2;

    public LocalAlignmentHead(long inChannels, long hiddenChannels = 2048, long outChannels = 128) : base(nameof(LocalAlignmentHead))
    {
        conv1 = Conv2d(inChannels, hiddenChannels, kernel_size: 1);
        relu = ReLU();
        conv2 = Conv2d(hiddenChannels, outChannels, kernel_size: 1);
        RegisterComponents();
    }

    /// <param name="featureMap">(N, C, h, w).</param>
    /// <returns>(N, out, h, w), unit length over channels at every pixel.</returns>
    public override Tensor forward(Tensor featureMap)
    {
        using var scope = NewDisposeScope();
        var p = conv2.call(relu.call(conv1.call(featureMap)));
        return functional.normalize(p, p: 2, dim: 1).MoveToOuterDisposeScope();
    }
}
