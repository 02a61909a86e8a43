using Sada.Core.Algorithms;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Sada.Core.Models;

/// <summary>
/// The whole network an algorithm trains: the backbone (DomainBed's featurizer), a linear classifier on r, and,
/// for SADA's stage 1, the local-alignment head and the projector. A head that a config switches off is not built
/// (null), so it neither takes memory nor appears in checkpoints.
/// </summary>
public sealed class CellNetwork : Module<Tensor, Tensor>
{
    readonly ResNetBackbone featurizer;
    readonly Linear classifier;
    readonly LocalAlignmentHead? la_head;
    readonly ProjectionHead? projector;

    public CellNetwork(ResNetBackbone featurizer, int numClasses, LocalAlignmentHead? laHead = null, ProjectionHead? projector = null)
        : base(nameof(CellNetwork))
    {
        if (numClasses < 1) throw new ArgumentOutOfRangeException(nameof(numClasses), "at least one class");
        this.featurizer = featurizer;
        classifier = Linear(featurizer.FeatureDim, numClasses);
        la_head = laHead;
        this.projector = projector;
        RegisterComponents();
    }

    /// <summary>
    /// The network a config asks for, on <paramref name="device"/>: backbone (with ImageNet weights when Init says so:
    /// built in, or the Weights file), classifier, and the heads requested. BatchNorm frozen as the config's policy says.
    /// </summary>
    public static CellNetwork Create(AlgorithmConfig config, int numClasses, Device device, bool withLaHead, bool withProjector)
    {
        var backbone = new ResNetBackbone(config.Backbone, config.FreezesBatchNorm);
        if (config.Init == BackboneInit.ImageNet)
        {
            var descriptor = Backbones.Find(config.Backbone);
            if (descriptor.LoadImageNet is { } load) load(backbone);
            else if (config.Weights is not null) PretrainedWeights.Load(backbone, config.Weights);
            else throw new ArgumentException($"{config.Backbone} has no built-in ImageNet weights: give a Weights file or train from scratch.", nameof(config));
        }
        var la = withLaHead ? new LocalAlignmentHead(backbone.FeatureDim, config.LaHiddenDim, config.LaOutputDim) : null;
        var proj = withProjector ? new ProjectionHead(backbone.FeatureDim, config.ProjectionDim) : null;
        var net = new CellNetwork(backbone, numClasses, la, proj);
        net.to(device);
        return net;
    }

    public ResNetBackbone Featurizer => featurizer;
    public Linear Classifier => classifier;
    public LocalAlignmentHead? LaHead => la_head;
    public ProjectionHead? Projector => projector;

    /// <summary>Class logits for normalised images.</summary>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        var (_, r) = featurizer.call(images);
        return classifier.call(r).MoveToOuterDisposeScope();
    }
}
