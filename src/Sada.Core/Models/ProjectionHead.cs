using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Sada.Core.Models;

/// <summary>
/// The projector for the contrastive term: Linear(C, C), ReLU, Linear(C, out). The contrastive losses
/// L2-normalise its output themselves.
/// </summary>
public sealed class ProjectionHead : Module<Tensor, Tensor>
{
    readonly Linear fc1;
    readonly ReLU relu;
    readonly Linear fc2;

    public ProjectionHead(long inFeatures, long outFeatures = 128) : base(nameof(ProjectionHead))
    {
        fc1 = Linear(inFeatures, inFeatures);
        relu = ReLU();
        fc2 = Linear(inFeatures, outFeatures);
        RegisterComponents();
    }

    /// <param name="representation">(N, C).</param>
    public override Tensor forward(Tensor representation)
    {
        using var scope = NewDisposeScope();
        return fc2.call(relu.call(fc1.call(representation))).MoveToOuterDisposeScope();
    }
}
