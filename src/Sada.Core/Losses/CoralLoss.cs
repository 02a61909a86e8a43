using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Losses;

/// <summary>
/// DomainBed's CORAL penalty between two domains' features: the mean squared difference of their means plus that
/// of their covariance matrices (unbiased, n - 1).
/// </summary>
public static class CoralLoss
{
    /// <param name="x">(n, d) features of one domain, n at least 2.</param>
    /// <param name="y">(m, d) features of another, m at least 2.</param>
    public static Tensor Compute(Tensor x, Tensor y)
    {
        if (x.shape[0] < 2 || y.shape[0] < 2) throw new ArgumentException("a covariance needs at least two rows per domain");
        using var scope = NewDisposeScope();
        var meanX = x.mean([0], keepdim: true);
        var meanY = y.mean([0], keepdim: true);
        var centX = x - meanX;
        var centY = y - meanY;
        var covX = centX.t().matmul(centX) / (x.shape[0] - 1);
        var covY = centY.t().matmul(centY) / (y.shape[0] - 1);
        var meanDiff = (meanX - meanY).pow(2).mean();
        var covDiff = (covX - covY).pow(2).mean();
        return (meanDiff + covDiff).MoveToOuterDisposeScope();
    }
}
