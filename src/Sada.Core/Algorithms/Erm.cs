using Sada.Core.Augmentation;
using Sada.Core.Models;
using Sada.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Algorithms;

/// <summary>Empirical risk minimisation: cross-entropy on every center's images pooled, as DomainBed's ERM.</summary>
public sealed class Erm : AlgorithmBase
{
    readonly IImageAugment _plain;

    public Erm(AlgorithmConfig config, int numClasses, Device device, IImageAugment plain)
        : base("erm", config, numClasses, device, CellNetwork.Create(config, numClasses, device, withLaHead: false, withProjector: false))
    {
        _plain = plain;
    }

    protected override IReadOnlyDictionary<string, double> UpdateStep(MultiCenterBatch batch, int step)
    {
        using var scope = NewDisposeScope();
        Net.train();
        var (images, labels) = AllOnDevice(batch);
        var loss = nn.functional.cross_entropy(Net.call(_plain.Apply(images, Random)), labels);
        Step(loss);
        var ce = Value(loss);
        return new Dictionary<string, double> { ["total"] = ce, ["ce"] = ce };
    }
}
