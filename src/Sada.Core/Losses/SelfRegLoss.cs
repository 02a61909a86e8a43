using static TorchSharp.torch;

namespace Sada.Core.Losses;

/// <summary>
/// SelfReg's objective on a batch already grouped by class (rows of one class contiguous, classes in ascending order):
/// each class block is shuffled twice within itself; the first shuffle gives the in-class partner (individual
/// regularisation), the lambda-mix of both shuffles the "hybrid" partner. Logits are compared with the partners' logits,
/// the representation with the partners' projections (0.3 weight), all by mean squared error; the regularisation is
/// scaled by C = min(CE, 1) (a number, not differentiated), as in the authors' release.
/// </summary>
public static class SelfRegLoss
{
    /// <summary>The feature terms' weight in the released code.</summary>
    public const double FeatureWeight = 0.3;

    public sealed record Terms(Tensor Total, Tensor CrossEntropy, Tensor LogitRegularization, Tensor FeatureRegularization, double Scale);

    /// <param name="representation">(N, D), the featurizer's output.</param>
    /// <param name="projection">(N, D), the projector applied to it.</param>
    /// <param name="logits">(N, C).</param>
    /// <param name="labels">(N), sorted ascending.</param>
    /// <param name="lambda">The mix of the two shuffles, from Beta(0.5, 0.5).</param>
    /// <param name="blocks">Per class block in order: its two within-block permutations (0-based inside the block).</param>
    public static Terms Compute(Tensor representation, Tensor projection, Tensor logits, Tensor labels, double lambda,
        IReadOnlyList<(long[] First, long[] Second)> blocks)
    {
        var (first, second) = GlobalIndices(blocks, logits.shape[0]);
        using var firstIndex = tensor(first, device: logits.device);
        using var secondIndex = tensor(second, device: logits.device);
        var logits2 = logits.index_select(0, firstIndex);
        var projection2 = projection.index_select(0, firstIndex);
        var logits3 = lambda * logits2 + (1 - lambda) * logits.index_select(0, secondIndex);
        var projection3 = lambda * projection2 + (1 - lambda) * projection.index_select(0, secondIndex);

        var individualLogit = nn.functional.mse_loss(logits, logits2);
        var hybridLogit = nn.functional.mse_loss(logits, logits3);
        var individualFeature = FeatureWeight * nn.functional.mse_loss(representation, projection2);
        var hybridFeature = FeatureWeight * nn.functional.mse_loss(representation, projection3);

        var ce = nn.functional.cross_entropy(logits, labels);
        var scale = Math.Min(ce.to(float64).item<double>(), 1.0);
        var logitTerm = lambda * individualLogit + (1 - lambda) * hybridLogit;
        var featureTerm = lambda * individualFeature + (1 - lambda) * hybridFeature;
        var total = ce + scale * (logitTerm + featureTerm);
        return new Terms(total, ce, logitTerm, featureTerm, scale);
    }

    /// <summary>Row indices of the two partners of every row: each block's permutations shifted to the block's start.</summary>
    static (long[] First, long[] Second) GlobalIndices(IReadOnlyList<(long[] First, long[] Second)> blocks, long rows)
    {
        var first = new List<long>();
        var second = new List<long>();
        long start = 0;
        foreach (var (a, b) in blocks)
        {
            if (a.Length != b.Length) throw new ArgumentException("a class block's two permutations differ in length", nameof(blocks));
            first.AddRange(a.Select(i => i + start));
            second.AddRange(b.Select(i => i + start));
            start += a.Length;
        }
        if (start != rows) throw new ArgumentException($"the class blocks cover {start} rows, not the batch's {rows}", nameof(blocks));
        return (first.ToArray(), second.ToArray());
    }
}
