using static TorchSharp.torch;

namespace Sada.Core.Losses;

/// <summary>
/// BoDA's terms (Yang et al., 2022, "balanced domain-class distribution alignment"), as the authors' DomainBed release
/// computes them. Centroids are per (center, class) pairs present in the training set, ordered by center then class;
/// <c>counts</c> is the (centers, classes) table of training images, +infinity where a class is absent from a center.
/// </summary>
public static class BodaLoss
{
    /// <summary>
    /// The balanced, calibrated distance loss: the negative distance of every sample to every centroid, divided by the
    /// sample's (center, class) count and calibrated by (centroid's count / sample's count)^nu, over the temperature, is a
    /// logit; each sample is pulled to the centroids of its class in the other centers, against every centroid but its
    /// own (center, class) one.
    /// </summary>
    /// <param name="features">(N, D), every center's features concatenated.</param>
    /// <param name="labels">(N) int64.</param>
    /// <param name="centers">(N) int64, each sample's training-center index.</param>
    /// <param name="centroids">(M, D).</param>
    /// <param name="centroidClasses">(M) int64.</param>
    /// <param name="centroidCenters">(M) int64.</param>
    /// <param name="counts">(centers, classes) float, +infinity for an absent pair.</param>
    public static Tensor Distance(Tensor features, Tensor labels, Tensor centers, Tensor centroids, Tensor centroidClasses,
        Tensor centroidCenters, Tensor counts, double nu, double temperature, double eps = 1e-6)
    {
        using var scope = NewDisposeScope();
        var negativeDistance = -cdist(centroids.to(features.dtype), features);
        var sampleCount = counts[centers, labels].to(features.dtype);
        var centroidCount = counts[centroidCenters, centroidClasses].to(features.dtype);
        var balanced = negativeDistance / sampleCount.unsqueeze(0);
        var calibration = (centroidCount.unsqueeze(1) / sampleCount.unsqueeze(0)).pow(nu);
        var logits = balanced * calibration / temperature;

        var sameClass = centroidClasses.unsqueeze(1).eq(labels.unsqueeze(0)).to(features.dtype);
        var sameCenter = centroidCenters.unsqueeze(1).eq(centers.unsqueeze(0)).to(features.dtype);
        var own = sameClass * sameCenter;
        var logProb = logits - (logits.exp() * (1 - own)).sum(0, keepdim: true).add(eps).log();
        var positives = sameClass * (1 - sameCenter);
        return (-(logProb * positives).sum() / positives.sum()).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The macro alignment penalty: the mean over every pair of centers of the squared differences of their feature means
    /// and covariances (BoDA's <c>macro_alignment_loss</c> is DomainBed's CORAL penalty, <see cref="CoralLoss"/>); 0 with a
    /// single center.
    /// </summary>
    public static Tensor MacroPenalty(IReadOnlyList<Tensor> centerFeatures)
    {
        var n = centerFeatures.Count;
        var penalty = zeros([], dtype: centerFeatures[0].dtype, device: centerFeatures[0].device);
        for (var i = 0; i < n; i++)
            for (var j = i + 1; j < n; j++)
                penalty = penalty + CoralLoss.Compute(centerFeatures[i], centerFeatures[j]);
        return n > 1 ? penalty / (n * (n - 1) / 2.0) : penalty;
    }

    /// <summary>
    /// Each center's class means, centers in order and classes ascending within a center (the centroid order), blended
    /// with the previous centroids: (1 - factor) x current + factor x previous.
    /// </summary>
    public static Tensor RefreshCentroids(IReadOnlyList<Tensor> centerFeatures, IReadOnlyList<IReadOnlyList<int>> centerLabels,
        Tensor previous, double factor)
    {
        using var scope = NewDisposeScope();
        var means = new List<Tensor>();
        for (var c = 0; c < centerFeatures.Count; c++)
        {
            var labels = tensor(centerLabels[c].Select(l => (long)l).ToArray(), device: centerFeatures[c].device);
            foreach (var cls in centerLabels[c].Distinct().Order())
                means.Add(centerFeatures[c][labels.eq(cls)].mean([0]));
        }
        var current = stack(means).to(previous.dtype).to(previous.device);
        return ((1 - factor) * current + factor * previous).MoveToOuterDisposeScope();
    }
}
