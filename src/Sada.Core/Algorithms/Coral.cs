using Sada.Core.Augmentation;
using Sada.Core.Losses;
using static TorchSharp.torch;

namespace Sada.Core.Algorithms;

/// <summary>
/// Deep CORAL as DomainBed runs it: the mean over centers of each center's cross-entropy, plus CoralWeight times
/// the mean CORAL penalty (<see cref="CoralLoss"/>) over all pairs of training centers' representations.
/// </summary>
public sealed class Coral(AlgorithmConfig config, int numClasses, Device device, IImageAugment plain)
    : PairwiseAlignment("coral", config, numClasses, device, plain)
{
    protected override string PenaltyName => "coral";

    protected override double PenaltyWeight => Config.CoralWeight;

    protected override Tensor Penalty(Tensor a, Tensor b) => CoralLoss.Compute(a, b);
}
