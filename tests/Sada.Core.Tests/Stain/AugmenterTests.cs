using Sada.Core.Algorithms;
using Sada.Core.Augmentation;
using Sada.Core.Stain;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Stain;

public class AugmenterTests
{
    /// <summary>Six 16 px cells from three made-up stainings: two stains through Beer-Lambert with different colours per center.</summary>
    static Tensor Cells(int perCenter = 2, int size = 16)
    {
        using var scope = NewDisposeScope();
        var gen = new TorchSharp.torch.Generator(42);
        float[][] stainsPerCenter = [[0.65f, 0.70f, 0.29f, 0.07f, 0.99f, 0.11f], [0.50f, 0.80f, 0.30f, 0.20f, 0.90f, 0.40f], [0.80f, 0.50f, 0.30f, 0.10f, 0.70f, 0.70f]];
        var images = new List<Tensor>();
        foreach (var s in stainsPerCenter)
        {
            var w = tensor(s, [2, 3]).t();                                              // (3, 2) stain colours
            var c = rand(new long[] { perCenter, 2, size * size }, generator: gen).mul_(1.5f);
            images.Add(matmul(w, c).neg_().exp_().view(perCenter, 3, size, size));
        }
        return cat(images.ToArray(), 0).MoveToOuterDisposeScope();
    }

    static IEnumerable<IViewAugmenter> Augmenters(AlgorithmConfig c) => [new StainAugmenter(c), new JitterViewAugmenter(c)];

    [Fact]
    public void Views_are_ordered_original_first_with_labels_repeated()
    {
        using var scope = NewDisposeScope();
        var x = Cells();
        var y = tensor(new long[] { 0, 1, 2, 3, 4, 0 });
        foreach (var aug in Augmenters(new AlgorithmConfig()))
        {
            var (views, labels) = aug.Augment(x, y, new TorchSharp.torch.Generator(1));
            Assert.Equal(3, aug.Views);
            Assert.Equal(new long[] { 18, 3, 16, 16 }, views.shape);
            Assert.Equal(new long[] { 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 0, 0, 0 }, labels.data<long>().ToArray());
            var normalised = ImageNetNormalization.Normalize(x);
            for (int i = 0; i < 6; i++)
            {
                Assert.True((views[3 * i] - normalised[i]).abs().max().item<float>() < 1e-5f, $"{aug.GetType().Name}: view 0 of cell {i} is not the normalised original");
                Assert.True((views[3 * i + 1] - normalised[i]).abs().max().item<float>() > 1e-3f, $"{aug.GetType().Name}: view 1 of cell {i} equals the original");
            }
            Assert.True(views.isfinite().all().item<bool>());
        }
    }

    [Fact]
    public void Same_seed_same_views_different_seed_different_views()
    {
        using var scope = NewDisposeScope();
        var x = Cells();
        var y = zeros(6, dtype: int64);
        foreach (var aug in Augmenters(new AlgorithmConfig()))
        {
            var a = aug.Augment(x, y, new TorchSharp.torch.Generator(7)).Views;
            var b = aug.Augment(x, y, new TorchSharp.torch.Generator(7)).Views;
            var c = aug.Augment(x, y, new TorchSharp.torch.Generator(8)).Views;
            Assert.Equal(0f, (a - b).abs().max().item<float>());
            Assert.True((a - c).abs().max().item<float>() > 1e-3f, aug.GetType().Name);
        }
    }

    [Fact]
    public void Degenerate_batches_still_give_k_views_per_cell()
    {
        using var scope = NewDisposeScope();
        var config = new AlgorithmConfig { K = 4 };
        // Two images (fewer than k) and a batch of identical images (one distinct stain descriptor).
        foreach (var x in new[] { Cells().narrow(0, 0, 2), Cells().narrow(0, 0, 1).expand(3, 3, 16, 16).contiguous() })
        {
            long n = x.shape[0];
            var (views, labels) = new StainAugmenter(config).Augment(x, zeros(n, dtype: int64), new TorchSharp.torch.Generator(3));
            Assert.Equal(new long[] { n * 4, 3, 16, 16 }, views.shape);
            Assert.Equal(n * 4, labels.shape[0]);
            Assert.True(views.isfinite().all().item<bool>());
        }
    }

    [Fact]
    public void K_of_one_is_the_normalised_originals()
    {
        using var scope = NewDisposeScope();
        var x = Cells();
        foreach (var aug in Augmenters(new AlgorithmConfig { K = 1 }))
        {
            var (views, _) = aug.Augment(x, zeros(6, dtype: int64));
            Assert.True((views - ImageNetNormalization.Normalize(x)).abs().max().item<float>() < 1e-5f);
        }
    }

    [Fact]
    public void JitterAndNormalize_jitters_then_normalises()
    {
        using var scope = NewDisposeScope();
        var x = Cells();
        var aug = new JitterAndNormalize(new AlgorithmConfig());
        var a = aug.Apply(x, new TorchSharp.torch.Generator(5));
        var expected = ImageNetNormalization.Normalize(new ColorJitter().Apply(x, new TorchSharp.torch.Generator(5)));
        Assert.Equal(x.shape, a.shape);
        Assert.True((a - expected).abs().max().item<float>() < 1e-5f);
    }

    [Fact]
    public void Phases_are_reported_in_order_and_nothing_leaks_out_of_the_scope()
    {
        var x = Cells();
        var y = zeros(6, dtype: int64);
        var seen = new List<string>();
        var aug = new StainAugmenter(new AlgorithmConfig());
        aug.Augment(x, y, new TorchSharp.torch.Generator(1), seen.Add).Views.Dispose();
        Assert.Equal(StainAugmenter.Phases, seen);
        long before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var (v, l) = aug.Augment(x, y, new TorchSharp.torch.Generator(1));
        v.Dispose(); l.Dispose();
        long after = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Assert.Equal(before, after);
        x.Dispose(); y.Dispose();
    }

    [Fact]
    public void Fused_cpu_path_equals_the_torch_path()
    {
        using var scope = NewDisposeScope();
        var x = Cells(perCenter: 2, size: 13);          // 169 pixels: exercises every kernel's tail
        var y = zeros(6, dtype: int64);
        var aug = new StainAugmenter(new AlgorithmConfig());
        var fused = aug.Augment(x, y, new TorchSharp.torch.Generator(4)).Views;
        // A float64 copy is not fusable: the same augmentation through the torch ops, same random draws.
        var ops = aug.Augment(x.to(float64), y, new TorchSharp.torch.Generator(4)).Views.to(float32);
        var diff = (fused - ops).abs().max().item<float>();
        Assert.True(diff < 1e-3f, $"max difference {diff}");
    }

    [Fact]
    public void Jitter_views_fused_path_equals_the_torch_path()
    {
        using var scope = NewDisposeScope();
        var x = Cells(perCenter: 2, size: 13);
        var y = zeros(6, dtype: int64);
        var aug = new JitterViewAugmenter(new AlgorithmConfig());
        var fused = aug.Augment(x, y, new TorchSharp.torch.Generator(6)).Views;
        var ops = aug.Augment(x.to(float64), y, new TorchSharp.torch.Generator(6)).Views.to(float32);
        var diff = (fused - ops).abs().max().item<float>();
        Assert.True(diff < 1e-4f, $"max difference {diff}");
    }
}
