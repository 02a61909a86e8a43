using Sada.Core.Algorithms;
using Sada.Core.Augmentation;
using static TorchSharp.torch;

namespace Sada.Core.Stain;

/// <summary>
/// SADA's stain-based augmentation (docs/SADA-METHOD.md, SBA steps 1-7): every cell's original, then its
/// k - 1 transfers to the stains of the other clusters, each transfer ColorJittered, all ImageNet-normalised,
/// ordered [x0, x0^1 .. x0^(k-1), x1, ...], labels repeated the same way.
/// </summary>
public sealed class StainAugmenter : IViewAugmenter
{
    /// <summary>The phases <see cref="Augment(Tensor, Tensor, Generator?, Action{string}?)"/> reports, in order.</summary>
    public static readonly string[] Phases = ["rgb->od", "snmf", "kmeans", "transfer", "jitter", "normalise"];

    readonly AlgorithmConfig _config;
    readonly ColorJitter _jitter;

    public StainAugmenter(AlgorithmConfig config)
    {
        _config = config;
        _jitter = new ColorJitter(config.JitterBrightness, config.JitterContrast, config.JitterSaturation, config.JitterHue);
    }

    public int Views => _config.K;

    public (Tensor Views, Tensor Labels) Augment(Tensor images, Tensor labels, Generator? generator = null) =>
        Augment(images, labels, generator, null);

    /// <param name="phaseDone">Called with each phase's name as it ends (torch on the CPU is synchronous, so a
    /// stopwatch between calls times the phase): for the benchmark.</param>
    public (Tensor Views, Tensor Labels) Augment(Tensor images, Tensor labels, Generator? generator, Action<string>? phaseDone)
    {
        if (images.dim() != 4 || images.shape[1] != 3) throw new ArgumentException($"expected (N, 3, H, W) images, got [{string.Join(", ", images.shape)}]", nameof(images));
        using var scope = NewDisposeScope();
        long n = images.shape[0], height = images.shape[2], width = images.shape[3];
        int k = _config.K;
        Tensor views;
        if (k == 1)
        {
            views = images.clone();
            ViewNormalization.Normalize_(views);
            phaseDone?.Invoke("normalise");
            return (views.MoveToOuterDisposeScope(), labels.repeat_interleave(k).MoveToOuterDisposeScope());
        }
        var rgb = images.contiguous();
        var od = OpticalDensity.FromRgb(rgb).flatten(2);                                  // (N, 3, P)
        phaseDone?.Invoke("rgb->od");
        using var stains = Snmf.Separate(od, Snmf.DefaultStains, _config.SnmfIterations, _config.SnmfLambda);
        phaseDone?.Invoke("snmf");
        var clusterOfImage = Cluster(stains, k, generator);
        var targets = DomainTransfer.PickTargets(clusterOfImage, k, generator);        // (N, k-1)
        phaseDone?.Invoke("kmeans");
        if (CpuKernels.Fusable(rgb) && stains.Stains == 2)
        {
            // CPU: every view is written once into its final place in (N, k, 3, H, W) and then worked on there.
            views = empty(n * k, 3, height, width);
            var q99 = DomainTransfer.ConcentrationScale(stains.H).data<float>().ToArray();
            PixelKernels.TransferRgb(stains, targets.data<long>().ToArray(), q99, views.view(n, k, 3, height, width), first: 1);
            phaseDone?.Invoke("transfer");
            var transferredSlots = Enumerable.Range(0, (int)n).SelectMany(s => Enumerable.Range(s * k + 1, k - 1)).ToArray();
            _jitter.ApplyInPlace(views, transferredSlots, generator);
            phaseDone?.Invoke("jitter");
            PixelKernels.Normalize(views, transferredSlots, views, transferredSlots);
            PixelKernels.Normalize(rgb, null, views, Enumerable.Range(0, (int)n).Select(s => s * k).ToArray());
        }
        else
        {
            var transferred = DomainTransfer.TransferRgb(stains, targets)                  // (N, k-1, 3, P)
                .view(n * (k - 1), 3, height, width);
            phaseDone?.Invoke("transfer");
            var jittered = _jitter.Apply(transferred, generator).view(n, k - 1, 3, height, width);
            views = cat([images.unsqueeze(1), jittered], 1).view(n * k, 3, height, width);
            phaseDone?.Invoke("jitter");
            ViewNormalization.Normalize_(views);
        }
        var viewLabels = labels.repeat_interleave(k);
        phaseDone?.Invoke("normalise");
        return (views.MoveToOuterDisposeScope(), viewLabels.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Stain clusters of the batch. A batch with fewer distinct stain descriptors than k cannot fill k clusters;
    /// it is clustered into as many as it has, and <see cref="DomainTransfer.PickTargets"/> fills the missing
    /// clusters' views with random other images, so every cell still gets k - 1 views.
    /// </summary>
    int[] Cluster(StainSeparation stains, int k, Generator? generator)
    {
        using var descriptors = stains.Descriptors();
        int clusters = Math.Min(k, StainKMeans.DistinctRows(descriptors));
        return StainKMeans.Fit(descriptors, clusters, _config.KMeansRestarts, _config.KMeansMaxIterations, generator).Labels;
    }
}
