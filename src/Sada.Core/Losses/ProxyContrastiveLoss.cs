using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Losses;

/// <summary>
/// DISC, SADA's domain-invariant supervised contrastive loss with cell proxies. The proxy of a cell is the mean of
/// its k views' unit vectors (deliberately not re-normalised); each proxy is contrasted with every view, and its
/// positives are all views of its class, its own views included.
/// </summary>
public static class ProxyContrastiveLoss
{
    /// <param name="projections">Projector outputs (N*k, D), rows grouped per cell as the views are; L2-normalised here (the reference normalises inside, its golden z is raw).</param>
    /// <param name="labels">(N*k) class of every view (the k views of a cell share it).</param>
    /// <param name="k">Views per cell.</param>
    /// <param name="temperature">tau.</param>
    public static Tensor Compute(Tensor projections, Tensor labels, int k, double temperature)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), "k must be at least 1");
        var n = projections.shape[0];
        if (n % k != 0) throw new ArgumentException($"{n} rows are not a whole number of cells of {k} views", nameof(projections));
        if (labels.shape[0] != n) throw new ArgumentException("one label per row", nameof(labels));

        using var scope = NewDisposeScope();
        var z = nn.functional.normalize(projections, p: 2, dim: 1);
        var cells = n / k;
        var proxies = z.reshape(cells, k, z.shape[1]).mean([1]);
        var proxyLabels = labels.reshape(cells, k).select(1, 0);

        var logits = proxies.matmul(z.t()) / temperature;
        // Subtracting each row's max only guards exp against overflow; log-softmax is unchanged by it.
        logits = logits - logits.amax([1], keepdim: true).detach();
        var logProb = logits.log_softmax(1);

        var positives = proxyLabels.unsqueeze(1).eq(labels.unsqueeze(0)).to(z.dtype);
        var meanLogProbPos = (positives * logProb).sum(1) / (positives.sum(1) + 1e-6);
        return (-meanLogProbPos.mean()).MoveToOuterDisposeScope();
    }
}
