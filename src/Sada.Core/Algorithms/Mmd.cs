using Sada.Core.Augmentation;
using Sada.Core.Losses;
using Sada.Core.Models;
using Sada.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Algorithms;

/// <summary>
/// MMD as DomainBed runs it: CORAL's shape with the Gaussian-kernel MMD penalty (<see cref="MmdLoss"/>) between every
/// pair of training centers' representations, weighted by MmdWeight (the registry's mmd_gamma).
/// </summary>
public sealed class Mmd : AlgorithmBase
{
    readonly IImageAugment _plain;

    public Mmd(AlgorithmConfig config, int numClasses, Device device, IImageAugment plain)
        : base("mmd", config, numClasses, device, CellNetwork.Create(config, numClasses, device, withLaHead: false, withProjector: false))
    {
        _plain = plain;
    }

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
                penalty = penalty + MmdLoss.Compute(features[i], features[j]);
        }
        objective = objective / n;
        if (n > 1) penalty = penalty / (n * (n - 1) / 2);

        var total = objective + Config.MmdWeight * penalty;
        Step(total);
        return new Dictionary<string, double> { ["total"] = Value(total), ["ce"] = Value(objective), ["mmd"] = Value(penalty) };
    }
}
