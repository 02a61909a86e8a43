using Sada.Core.Embedding;
using Sada.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Embedding;

public class KlGradientTests
{
    public KlGradientTests() => Assert.True(TorchRuntime.Initialize("cpu", 1).Loaded);

    [Fact]
    public void Exact_gradient_matches_finite_differences_of_KL()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(4);
        using var p = TsneAffinities.Compute(randn(25, 6), perplexity: 5);
        var y = randn(25, 2, ScalarType.Float64);
        var (gradient, kl) = KlGradient.Exact(p)(y, 1, true);
        Assert.Equal(KlGradient.ExactKl(y, p), kl!.item<double>(), 10);

        const double h = 1e-6;
        var g = gradient.data<double>().ToArray();
        for (int c = 0; c < 50; c += 7)
        {
            var plus = y.clone(); plus.view(-1)[c] += h;
            var minus = y.clone(); minus.view(-1)[c] -= h;
            double numeric = (KlGradient.ExactKl(plus, p) - KlGradient.ExactKl(minus, p)) / (2 * h);
            Assert.True(Math.Abs(numeric - g[c]) < 1e-6 + 1e-5 * Math.Abs(g[c]), $"coordinate {c}: analytic {g[c]}, numeric {numeric}");
        }
    }

    [Fact]
    public void Barnes_Hut_gradient_approaches_the_exact_one_as_theta_shrinks()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(5);
        using var p = TsneAffinities.Compute(randn(300, 10), perplexity: 20);
        var y = randn(300, 2, ScalarType.Float64) * 5;
        var (exact, exactKl) = KlGradient.Exact(p)(y, 3, true);
        double ErrorAt(double theta)
        {
            var (approx, approxKl) = KlGradient.BarnesHut(p, new BarnesHutTree(theta, 2), 2)(y, 3, true);
            Assert.Equal(exactKl!.item<double>(), approxKl!.item<double>(), 1);
            return ((approx - exact).norm() / exact.norm()).item<double>();
        }
        double coarse = ErrorAt(0.5), fine = ErrorAt(0.05);
        Assert.True(coarse < 0.05, $"θ=0.5 relative error {coarse}");
        Assert.True(fine < 1e-3, $"θ=0.05 relative error {fine}");
        Assert.True(fine < coarse);
    }

    [Fact]
    public void Barnes_Hut_tree_counts_duplicate_points_without_their_self_term()
    {
        using var scope = NewDisposeScope();
        // Three coincident points and two others: the tree must merge the duplicates yet leave each point's w_ii out.
        var y = tensor(new double[] { 0, 0, 0, 0, 0, 0, 1, 2, -3, 0.5 }, new long[] { 5, 2 });
        var (numerator, z) = KlGradient.ExactRepulsion(y);
        var approxNumerator = new double[10];
        double approxZ = new BarnesHutTree(0.1, 1).Repulsion(y.data<double>().ToArray(), approxNumerator);
        Assert.Equal(z.item<double>(), approxZ, 12);
        var expected = numerator.data<double>().ToArray();
        for (int i = 0; i < 10; i++) Assert.Equal(expected[i], approxNumerator[i], 12);
    }
}
