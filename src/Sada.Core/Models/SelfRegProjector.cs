using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Sada.Core.Models;

/// <summary>
/// SelfReg's class-discriminative projection (the authors' <c>cdpl</c>): Linear, BatchNorm, ReLU, Linear, BatchNorm,
/// ReLU, Linear, BatchNorm, from the representation back to its own width. The hidden width is the representation's
/// when it is 2048 (ResNet-50), else twice it, as the released code chooses. Submodules are named 0..7 as there, so a
/// state dict of the authors' projector loads by name.
/// </summary>
public sealed class SelfRegProjector : Module<Tensor, Tensor>
{
    readonly Sequential layers;

    public SelfRegProjector(long featureDim) : base(nameof(SelfRegProjector))
    {
        var hidden = HiddenDim(featureDim);
        layers = Sequential(
            ("0", Linear(featureDim, hidden)), ("1", BatchNorm1d(hidden)), ("2", ReLU()),
            ("3", Linear(hidden, hidden)), ("4", BatchNorm1d(hidden)), ("5", ReLU()),
            ("6", Linear(hidden, featureDim)), ("7", BatchNorm1d(featureDim)));
        RegisterComponents();
    }

    public static long HiddenDim(long featureDim) => featureDim == 2048 ? featureDim : 2 * featureDim;

    /// <summary>The first linear layer's weight (the golden vectors check its gradient).</summary>
    public Tensor FirstWeight => ((Linear)layers[0]).weight!;

    public override Tensor forward(Tensor representation) => layers.call(representation);
}
