using Sada.Core.Embedding;
using Sada.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Embedding;

public class TsneAffinitiesTests
{
    public TsneAffinitiesTests() => Assert.True(TorchRuntime.Initialize("cpu", 1).Loaded);

    [Fact]
    public void Each_row_of_conditional_P_has_the_requested_perplexity()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(1);
        var x = randn(300, 16);
        int k = TsneAffinities.NeighbourCount(300, 30);
        Assert.Equal(91, k);
        var (sq, _) = TsneAffinities.NearestNeighbours(x, k, chunkRows: 128);
        var conditional = TsneAffinities.ConditionalProbabilities(sq, 30);

        var entropy = -(conditional * conditional.clamp_min(1e-300).log()).sum(1);
        Assert.True((conditional.sum(1) - 1).abs().max().item<double>() < 1e-12);
        Assert.True((entropy - Math.Log(30)).abs().max().item<double>() < 1e-4, "entropy should be log(perplexity) in every row");
    }

    [Fact]
    public void Neighbours_in_chunks_match_the_brute_force_ones_and_exclude_the_point_itself()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(2);
        var x = randn(70, 5);
        var (sq, idx) = TsneAffinities.NearestNeighbours(x, 6, chunkRows: 16);
        var full = cdist(x, x).pow(2) + eye(70) * 1e9;
        var (expected, expectedIdx) = full.topk(6, dim: 1, largest: false);
        Assert.True((idx == expectedIdx).all().item<bool>());
        Assert.True((sq - expected.to(ScalarType.Float64)).abs().max().item<double>() < 1e-3);
    }

    [Fact]
    public void Joint_P_is_symmetric_and_sums_to_one()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(3);
        using var p = TsneAffinities.Compute(randn(120, 8), perplexity: 10);
        var dense = zeros(120, 120, ScalarType.Float64);
        dense.index_put_(p.Values, p.Rows, p.Cols);
        Assert.Equal(1.0, p.Values.sum().item<double>(), 12);
        Assert.True((dense - dense.t()).abs().max().item<double>() < 1e-15);
        Assert.Equal(0.0, dense.diagonal().abs().sum().item<double>());
    }

    [Fact]
    public void Neighbours_far_outside_a_tight_cluster_are_dropped_not_kept_as_zeros()
    {
        // 20-point clusters far apart, perplexity 10 over 31 neighbours: the 12 outside the cluster underflow. They must
        // leave P, not sit in it as zeros (0·log 0 made the KL NaN) or denormals (slow).
        var (x, _) = Sada.Core.Benchmarks.TsneBenchmark.ClusteredPoints(200, 64, 10, seed: 4);
        using (x)
        using (var p = TsneAffinities.Compute(x * 10, perplexity: 10))
        {
            Assert.True(p.Values.min().item<double>() > 1e-20); // 1e-12 of a row, over 2N after normalising
            Assert.True(p.Count < 200 * 31, $"{p.Count} entries");
            Assert.True(double.IsFinite(p.NegativeEntropy));
            var result = new Tsne(new TsneOptions { Iterations = 300, Perplexity = 10 }).Fit(x * 10);
            Assert.True(double.IsFinite(result.KlDivergence));
        }
    }

    [Fact]
    public void Perplexity_must_be_below_the_number_of_points() =>
        Assert.Throws<ArgumentException>(() => TsneAffinities.Compute(randn(20, 3), perplexity: 30));
}
