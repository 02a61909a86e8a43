using Sada.Core.Benchmarks;
using Sada.Core.Embedding;
using Sada.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Embedding;

public class TsneTests
{
    public TsneTests() => Assert.True(TorchRuntime.Initialize("cpu", 1).Loaded);

    [Fact]
    public void Defaults_are_scikit_learn_1_2s()
    {
        var o = new TsneOptions();
        Assert.Equal((30.0, 12.0, 250, 1000, 0.5, 0.8, 0.01, 0.5), (o.Perplexity, o.EarlyExaggeration, o.ExaggerationIterations, o.Iterations, o.InitialMomentum, o.FinalMomentum, o.MinGain, o.Theta));
        Assert.Null(o.LearningRate);
        Assert.Equal(TsneInit.Pca, o.Init);
    }

    [Theory]
    [InlineData(TsneMethod.Exact)]
    [InlineData(TsneMethod.BarnesHut)]
    public void Planted_clusters_stay_apart_and_KL_falls(TsneMethod method)
    {
        var (features, labels) = TsneBenchmark.ClusteredPoints(240, 32, 4, seed: 1);
        using (features)
        {
            var result = new Tsne(new TsneOptions { Method = method, Iterations = 400, Perplexity = 20 }).Fit(features);
            Assert.Equal(method, result.Method);
            Assert.Equal(400, result.Iterations);
            Assert.Equal(480, result.Points.Length);
            Assert.All(result.Points, v => Assert.True(float.IsFinite(v)));
            Assert.True(DomainMixing.KnnAccuracy(result.Points, labels).Accuracy > 0.98);
            var kls = result.KlHistory.Where(h => h.Iteration > 250).Select(h => h.Kl).ToArray();
            Assert.True(kls.Length >= 3);
            Assert.True(kls[^1] < kls[0], $"KL should fall after exaggeration: {string.Join(", ", kls)}");
            Assert.True(result.KlHistory[^1].Kl < result.KlHistory[0].Kl);
            // The history is taken at the last gradient evaluation, the result after its update: close, not equal.
            Assert.InRange(result.KlDivergence / result.KlHistory[^1].Kl, 0.98, 1.02);
        }
    }

    [Fact]
    public void Barnes_Hut_KL_is_within_a_few_percent_of_the_exact_gradient_run()
    {
        var (features, _) = TsneBenchmark.ClusteredPoints(500, 64, 8, seed: 2);
        using (features)
        {
            var options = new TsneOptions { Iterations = 350 };
            var exact = new Tsne(options with { Method = TsneMethod.Exact }).Fit(features);
            var approx = new Tsne(options with { Method = TsneMethod.BarnesHut }).Fit(features);
            Assert.InRange(approx.KlDivergence / exact.KlDivergence, 0.95, 1.05);
        }
    }

    [Fact]
    public void Runs_are_reproducible_and_the_seed_drives_random_initialisation()
    {
        var (features, _) = TsneBenchmark.ClusteredPoints(150, 16, 3, seed: 3);
        using (features)
        {
            var options = new TsneOptions { Iterations = 120, Perplexity = 10, Method = TsneMethod.BarnesHut };
            Assert.Equal(new Tsne(options).Fit(features).Points, new Tsne(options).Fit(features).Points);
            var random = options with { Init = TsneInit.Random, Seed = 5 };
            Assert.Equal(new Tsne(random).Fit(features).Points, new Tsne(random).Fit(features).Points);
            Assert.NotEqual(new Tsne(random).Fit(features).Points, new Tsne(random with { Seed = 6 }).Fit(features).Points);
        }
    }

    [Fact]
    public void PCA_initialisation_has_first_coordinate_std_1e4_along_the_top_component()
    {
        // Points spread along one axis: after zero iterations of descent the embedding is the scaled PCA projection.
        using var scope = NewDisposeScope();
        torch.manual_seed(6);
        var x = randn(100, 5) * tensor(new float[] { 0.1f, 5, 0.1f, 1, 0.1f });
        var result = new Tsne(new TsneOptions { Iterations = 0, Perplexity = 10 }).Fit(x);
        var y = result.ToTensor().to(ScalarType.Float64);
        Assert.Equal(1e-4, y.select(1, 0).std(unbiased: false).item<double>(), 9);
        var correlation = corrcoef(stack(new[] { y.select(1, 0), x.select(1, 1).to(ScalarType.Float64) }))[0, 1].abs().item<double>();
        Assert.True(correlation > 0.99);
    }

    [Fact]
    public void Auto_uses_the_exact_gradient_for_small_sets_only()
    {
        var tsne = new Tsne(new TsneOptions { ExactBelow = 500 });
        Assert.Equal(TsneMethod.Exact, tsne.ResolveMethod(499));
        Assert.Equal(TsneMethod.BarnesHut, tsne.ResolveMethod(500));
    }
}
