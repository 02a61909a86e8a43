using Sada.Core.Augmentation;
using Sada.Core.Losses;
using static TorchSharp.torch;

namespace Sada.Core.Algorithms;

/// <summary>
/// MMD as DomainBed runs it: CORAL's shape with the Gaussian-kernel MMD penalty (<see cref="MmdLoss"/>) between every
/// pair of training centers' representations, weighted by MmdWeight (the registry's mmd_gamma).
/// </summary>
public sealed class Mmd(AlgorithmConfig config, int numClasses, Device device, IImageAugment plain)
    : PairwiseAlignment("mmd", config, numClasses, device, plain)
{
    protected override string PenaltyName => "mmd";

    protected override double PenaltyWeight => Config.MmdWeight;

    protected override Tensor Penalty(Tensor a, Tensor b) => MmdLoss.Compute(a, b);
}
