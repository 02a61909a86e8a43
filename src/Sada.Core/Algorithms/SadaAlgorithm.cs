using Sada.Core.Augmentation;
using Sada.Core.Losses;
using Sada.Core.Models;
using Sada.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Algorithms;

/// <summary>
/// SADA (docs/SADA-METHOD.md). Stage 1, steps below Stage1Steps: the k views of every cell (stain-transferred by
/// the injected augmenter) go through the backbone once; loss = LaWeight * LA(LA head(F)) + contrastive(projector(r)),
/// DISC with proxies or SupCon. Stage 2: cross-entropy of the classifier on r over the plain images, the same Adam
/// optimiser training every parameter. Single stage (TwoStage false): from step 0, cross-entropy over the views
/// plus the stage-1 terms. A term switched off by the config is neither built nor computed.
/// </summary>
public sealed class SadaAlgorithm : AlgorithmBase, ICollapseSignal
{
    /// <summary>Named value: the contrastive loss minus its uniform value (0 when every projection is alike).</summary>
    public const string UniformGapName = "contrastive_uniform_gap";
    /// <summary>Named value: the mean cosine similarity of the normalised projections over distinct pairs (1 when all alike).</summary>
    public const string ProjectionCosineName = "projection_cosine";

    readonly IViewAugmenter _views;
    readonly IImageAugment _plain;

    public SadaAlgorithm(AlgorithmConfig config, int numClasses, Device device, IViewAugmenter views, IImageAugment plain)
        : base("sada", config, numClasses, device, CreateNetwork(config, numClasses, device, views))
    {
        _views = views;
        _plain = plain;
    }

    static CellNetwork CreateNetwork(AlgorithmConfig config, int numClasses, Device device, IViewAugmenter views)
    {
        // Checked before building the network: the losses group rows by the augmenter's k.
        if (views.Views != config.K)
            throw new ArgumentException($"The view augmenter makes {views.Views} views per cell but the config's K is {config.K}.", nameof(views));
        return NetworkFor(config, numClasses, device);
    }

    /// <summary>SADA's network: the LA head and the projector when the config uses them.</summary>
    public static CellNetwork NetworkFor(AlgorithmConfig config, int numClasses, Device device) =>
        CellNetwork.Create(config, numClasses, device, withLaHead: UsesLa(config), withProjector: config.Contrast != ContrastMode.None);

    /// <summary>Views of one cell over the first <paramref name="steps"/> steps: k in feature-learning steps, else 1.</summary>
    public static long ViewsOverSteps(AlgorithmConfig config, int steps)
    {
        int multiView = config.TwoStage ? Math.Min(steps, config.Stage1Steps) : steps;
        return (long)multiView * config.K + (steps - multiView);
    }

    /// <summary>LA needs a transferred view to align with the original, so k = 1 switches it off as LaWeight 0 does.</summary>
    static bool UsesLa(AlgorithmConfig config) => config.LaWeight > 0 && config.K > 1;

    public override int StageAt(int step) => Config.TwoStage && step < Config.Stage1Steps ? 1 : 2;

    public CollapseReading? LastCollapseReading { get; private set; }

    protected override IReadOnlyDictionary<string, double> UpdateStep(MultiCenterBatch batch, int step)
    {
        using var scope = NewDisposeScope();
        LastCollapseReading = null;
        Net.train();
        var (images, labels) = AllOnDevice(batch);
        return Config.TwoStage && StageAt(step) == 2 ? Classify(images, labels) : LearnFeatures(images, labels);
    }

    /// <summary>Stage 2: cross-entropy over the plain images (jitter and normalisation from the plain augmenter).</summary>
    Dictionary<string, double> Classify(Tensor images, Tensor labels)
    {
        var loss = nn.functional.cross_entropy(Net.call(_plain.Apply(images, Random)), labels);
        Step(loss);
        var ce = Value(loss);
        return new Dictionary<string, double> { ["total"] = ce, ["ce"] = ce };
    }

    /// <summary>Stage 1 (and the single-stage ablation, which adds cross-entropy over the views).</summary>
    Dictionary<string, double> LearnFeatures(Tensor images, Tensor labels)
    {
        var (views, viewLabels) = _views.Augment(images, labels, Random);
        Cancellation.ThrowIfCancellationRequested();
        viewLabels = viewLabels.to(int64, Device);
        var (featureMap, r) = Net.Featurizer.call(views.to(Device));
        var k = _views.Views;

        var losses = new Dictionary<string, double>();
        Tensor? total = null;
        void Add(string name, Tensor term, double weight = 1.0)
        {
            losses[name] = Value(term);
            var weighted = weight == 1.0 ? term : weight * term;
            total = total is null ? weighted : total + weighted;
        }

        if (UsesLa(Config))
            Add("la", LocalAlignmentLoss.Compute(Net.LaHead!.call(featureMap), k), Config.LaWeight);
        if (Config.Contrast != ContrastMode.None)
        {
            var projections = Net.Projector!.call(r);
            Add("contrastive", Config.Contrast == ContrastMode.Proxy
                ? ProxyContrastiveLoss.Compute(projections, viewLabels, k, Config.Temperature)
                : SupConLoss.Compute(projections, viewLabels, Config.Temperature));
            MeasureCollapse(projections, losses);
        }
        if (!Config.TwoStage)
            Add("ce", nn.functional.cross_entropy(Net.Classifier.call(r), viewLabels));

        // With LA and the contrastive term both off, stage 1 has nothing to learn: no step is taken.
        if (total is null)
        {
            losses["total"] = 0;
            return losses;
        }
        Step(total);
        losses["total"] = Value(total);
        return losses;
    }

    /// <summary>
    /// The contrastive loss's value when every projection is alike: every logit equal, so -log of one over the softmax's
    /// width. SupCon's anchors contrast with the N - 1 other views, DISC's proxies with all N views.
    /// </summary>
    public static double UniformContrastiveLoss(ContrastMode mode, long views) => mode switch
    {
        ContrastMode.SupCon => Math.Log(views - 1),
        ContrastMode.Proxy => Math.Log(views),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "no contrastive loss"),
    };

    /// <summary>
    /// The collapse measures of this step, from detached projections so neither loss nor gradient changes: the loss's
    /// gap to its uniform value and the projections' mean pairwise cosine similarity, as named values and as the reading.
    /// </summary>
    void MeasureCollapse(Tensor projections, Dictionary<string, double> losses)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var n = projections.shape[0];
        var uniform = UniformContrastiveLoss(Config.Contrast, n);
        var loss = losses["contrastive"];
        var gap = loss - uniform;
        losses[UniformGapName] = gap;
        if (n > 1)
        {
            var z = nn.functional.normalize(projections.detach(), p: 2, dim: 1);
            // Sum over all pairs minus the diagonal (each 1 for a non-zero row; a zero row normalises to 0 and counts 0).
            var all = z.matmul(z.t());
            var offDiagonal = all.sum() - all.diagonal().sum();
            losses[ProjectionCosineName] = Value(offDiagonal) / (n * (n - 1));
        }
        LastCollapseReading = new CollapseReading(Config.Contrast == ContrastMode.Proxy ? "DISC" : "SupCon", loss, uniform, Config.CollapseTolerance);
    }
}
