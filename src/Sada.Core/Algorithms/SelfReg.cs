using Sada.Core.Augmentation;
using Sada.Core.Losses;
using Sada.Core.Models;
using Sada.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Algorithms;

/// <summary>
/// SelfReg (Kim et al., 2021) as the authors' DomainBed release has it: the pooled batch is grouped by class, each class
/// block shuffled twice in itself, and logits and projections are pulled towards their in-class partners and a
/// Beta(0.5, 0.5) mix of two partners (<see cref="SelfRegLoss"/>). As in the release, the projector is outside the
/// optimiser: its gradients are computed but its weights stay at their seeded initialisation (its BatchNorm statistics
/// move; it is never used in eval mode), so checkpoints need only the classifier network. Every draw (lambda, the
/// shuffles) comes from the step's generator, so a resumed run continues exactly.
/// </summary>
public sealed class SelfReg : AlgorithmBase
{
    readonly IImageAugment _plain;
    readonly SelfRegProjector _projector;

    public SelfReg(AlgorithmConfig config, int numClasses, Device device, IImageAugment plain)
        : base("selfreg", config, numClasses, device, CellNetwork.Create(config, numClasses, device, withLaHead: false, withProjector: false))
    {
        _plain = plain;
        _projector = new SelfRegProjector(Net.Featurizer.FeatureDim);
        _projector.to(device);
    }

    protected override IReadOnlyDictionary<string, double> UpdateStep(MultiCenterBatch batch, int step)
    {
        using var scope = NewDisposeScope();
        Net.train();
        _projector.train();
        var (images, labels) = AllOnDevice(batch);
        var lambda = DrawLambda();
        // Grouped by class, ascending; a stable sort keeps the batch's order inside a class, so the grouping is a
        // function of the batch alone.
        var (sortedLabels, order) = labels.sort(dim: 0, descending: false, stable: true);
        var x = _plain.Apply(images.index_select(0, order), Random);
        var representation = Net.Featurizer.call(x).Representation;
        var projection = _projector.call(representation);
        var logits = Net.Classifier.call(representation);

        var blocks = sortedLabels.cpu().data<long>().ToArray().GroupBy(y => y).Select(g => (
            randperm(g.Count(), device: Device, generator: Random).cpu().data<long>().ToArray(),
            randperm(g.Count(), device: Device, generator: Random).cpu().data<long>().ToArray())).ToList();
        var terms = SelfRegLoss.Compute(representation, projection, logits, sortedLabels, lambda, blocks);
        Step(terms.Total);
        return new Dictionary<string, double>
        {
            ["total"] = Value(terms.Total), ["ce"] = Value(terms.CrossEntropy),
            ["logit_reg"] = Value(terms.LogitRegularization), ["feature_reg"] = Value(terms.FeatureRegularization),
        };
    }

    /// <summary>Lambda ~ Beta(0.5, 0.5), the released value, from a generator seeded by the step's.</summary>
    double DrawLambda()
    {
        // Disposing a distribution disposes the generator it was given, so it gets its own, seeded from ours (as Mixup).
        var seed = randint(long.MaxValue, [1], dtype: int64, generator: Random).item<long>();
        using var generator = new Generator((ulong)seed, Device);
        using var half = full(2, 0.5, dtype: float64, device: Device);
        using var beta = distributions.Beta(half[0], half[1], generator);
        return beta.sample().item<double>();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _projector.Dispose();
        base.Dispose(disposing);
    }
}
