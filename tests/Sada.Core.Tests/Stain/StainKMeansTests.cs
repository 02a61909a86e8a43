using Sada.Core.Stain;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Stain;

public class StainKMeansTests
{
    [Fact]
    public void Recovers_planted_clusters()
    {
        using var scope = NewDisposeScope();
        var gen = new TorchSharp.torch.Generator(11);
        var centers = tensor(new float[] { 0, 0, 0, 5, 5, 5, -5, 5, 0 }, [3, 3]);
        var truth = Enumerable.Range(0, 30).Select(i => i % 3).ToArray();
        var x = centers.index_select(0, tensor(truth.Select(t => (long)t).ToArray())) + 0.1f * randn(new long[] { 30, 3 }, generator: gen);
        var c = StainKMeans.Fit(x, 3, generator: gen);
        // Same partition up to a renaming of clusters.
        for (int i = 0; i < 30; i++)
            for (int j = 0; j < 30; j++)
                Assert.Equal(truth[i] == truth[j], c.Labels[i] == c.Labels[j]);
        Assert.Equal(3, c.K);
        Assert.True(c.Inertia < 30 * 3 * 0.1 * 0.1 * 3);
    }

    [Fact]
    public void Empty_cluster_restarts_are_discarded_and_retried()
    {
        using var scope = NewDisposeScope();
        // Ten copies of one descriptor and two others: most random initialisations pick two identical centroids,
        // the second of which never wins a point (ties go to the first) and comes out NaN.
        var rows = Enumerable.Repeat(new float[] { 0, 0 }, 10).Concat([new float[] { 3, 0 }, new float[] { 0, 3 }]).SelectMany(r => r).ToArray();
        var x = tensor(rows, [12, 2]);
        var c = StainKMeans.Fit(x, 3, restarts: 5, generator: new TorchSharp.torch.Generator(0));
        Assert.True(c.DiscardedRestarts > 0, "the planted duplicates should have forced at least one retry");
        Assert.All(c.Centroids.SelectMany(r => r), v => Assert.False(double.IsNaN(v)));
        Assert.Equal(new[] { 0, 1, 2 }, c.Labels.Distinct().Order().ToArray());
        Assert.Equal(0.0, c.Inertia, 12);
    }

    [Fact]
    public void Fewer_distinct_images_than_k_fails_with_a_clear_message()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1, 1, 1, 1, 2, 2 }, [3, 2]);
        var e = Assert.Throws<InvalidOperationException>(() => StainKMeans.Fit(x, 3, generator: new TorchSharp.torch.Generator(0)));
        Assert.Contains("2 distinct descriptors", e.Message);
        Assert.Equal(2, StainKMeans.DistinctRows(x));
    }

    [Fact]
    public void Same_seed_same_clusters()
    {
        using var scope = NewDisposeScope();
        var x = randn(new long[] { 40, 9 }, generator: new TorchSharp.torch.Generator(5));
        var a = StainKMeans.Fit(x, 4, generator: new TorchSharp.torch.Generator(9));
        var b = StainKMeans.Fit(x, 4, generator: new TorchSharp.torch.Generator(9));
        Assert.Equal(a.Labels, b.Labels);
        Assert.Equal(a.Inertia, b.Inertia);
    }
}
