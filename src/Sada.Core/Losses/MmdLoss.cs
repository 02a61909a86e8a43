using static TorchSharp.torch;

namespace Sada.Core.Losses;

/// <summary>
/// DomainBed's MMD penalty between two domains' features with its Gaussian kernel: a sum of exp(-gamma d^2) over the
/// bandwidths 1e-3 .. 1e3 on squared Euclidean distances (floored at 1e-30); MMD^2 = mean K(x, x) + mean K(y, y) - 2 mean K(x, y).
/// </summary>
public static class MmdLoss
{
    static readonly double[] Bandwidths = [0.001, 0.01, 0.1, 1, 10, 100, 1000];

    /// <param name="x">(n, d) features of one domain.</param>
    /// <param name="y">(m, d) features of another.</param>
    public static Tensor Compute(Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        return (Kernel(x, x).mean() + Kernel(y, y).mean() - 2 * Kernel(x, y).mean()).MoveToOuterDisposeScope();
    }

    /// <summary>The summed Gaussian kernel between every row of <paramref name="x"/> and every row of <paramref name="y"/>.</summary>
    public static Tensor Kernel(Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        var squared = (x.pow(2).sum(-1, keepdim: true) - 2 * x.matmul(y.t()) + y.pow(2).sum(-1, keepdim: true).t()).clamp_min(1e-30);
        var kernel = zeros_like(squared);
        foreach (var gamma in Bandwidths) kernel = kernel + (-gamma * squared).exp();
        return kernel.MoveToOuterDisposeScope();
    }
}
