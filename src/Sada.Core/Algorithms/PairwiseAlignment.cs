using Sada.Core.Augmentation;
using Sada.Core.Models;
using Sada.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Algorithms;

/// <summary>
/// DomainBed's AbstractMMD shape, shared by CORAL and MMD: the mean over centers of each center's cross-entropy, plus a
/// weight times the mean of a distribution penalty over every pair of training centers' representations. A subclass
/// says only which penalty, its name and its weight.
/// </summary>
public abstract class PairwiseAlignment : AlgorithmBase
{
    readonly IImageAugment _plain;

    protected PairwiseAlignment(string name, AlgorithmConfig config, int numClasses, Device device, IImageAugment plain)
        : base(name, config, numClasses, device, CellNetwork.Create(config, numClasses, device, withLaHead: false, withProjector: false))
    {
        _plain = plain;
    }

    /// <summary>The loss name the penalty is reported under.</summary>
    protected abstract string PenaltyName { get; }

    protected abstract double PenaltyWeight { get; }

    /// <summary>The penalty between two centers' representations (n_a x d and n_b x d).</summary>
    protected abstract Tensor Penalty(Tensor a, Tensor b);

    protected override IReadOnlyDictionary<string, double> UpdateStep(MultiCenterBatch batch, int step)
    {
        using var scope = NewDisposeScope();
        Net.train();
        var (images, labels) = AllOnDevice(batch);
        // One forward over all centers, then split back per center.
        var (_, r) = Net.Featurizer.call(_plain.Apply(images, Random));
        var logits = Net.Classifier.call(r);
        var sizes = batch.Centers.Select(c => c.Images.shape[0]).ToArray();
        var features = r.split(sizes);
        var centerLogits = logits.split(sizes);
        var centerLabels = labels.split(sizes);

        var n = sizes.Length;
        var objective = zeros([], device: Device);
        var penalty = zeros([], device: Device);
        for (var i = 0; i < n; i++)
        {
            objective = objective + nn.functional.cross_entropy(centerLogits[i], centerLabels[i]);
            for (var j = i + 1; j < n; j++)
                penalty = penalty + Penalty(features[i], features[j]);
        }
        objective = objective / n;
        if (n > 1) penalty = penalty / (n * (n - 1) / 2);

        var total = objective + PenaltyWeight * penalty;
        Step(total);
        return new Dictionary<string, double> { ["total"] = Value(total), ["ce"] = Value(objective), [PenaltyName] = Value(penalty) };
    }
}
