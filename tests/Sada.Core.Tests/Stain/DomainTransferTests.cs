using Sada.Core.Stain;
using Sada.Core.Tests.Golden;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Stain;

public class DomainTransferTests
{
    [Fact]
    public void Transfer_matches_golden_for_every_pair()
    {
        using var scope = NewDisposeScope();
        var g = GoldenCase.Load("domain_transfer.json");
        using var stains = new StainSeparation(g.Tensor("W"), g.Tensor("H"), g.Tensor("B"));
        int[][] pairs = [[0, 2], [1, 3], [3, 0]];
        // One batched call: image s's single target is t for the golden pairs, itself for the image not in one.
        var targets = new long[] { 0, 1, 2, 3 };
        foreach (var p in pairs) targets[p[0]] = p[1];
        var od = DomainTransfer.TransferOd(stains, tensor(targets, [4, 1]));
        var rgb = DomainTransfer.TransferRgb(stains, tensor(targets, [4, 1]));
        foreach (var p in pairs)
        {
            GoldenCase.AssertClose(od[p[0], 0], g.Tensor($"od_{p[0]}_to_{p[1]}").flatten(1), 1e-4, $"od {p[0]}->{p[1]}");
            GoldenCase.AssertClose(rgb[p[0], 0], g.Tensor($"rgb_{p[0]}_to_{p[1]}").flatten(1), 1e-4, $"rgb {p[0]}->{p[1]}");
        }
    }

    [Fact]
    public void Fused_transfer_into_the_views_matches_golden_rgb()
    {
        using var scope = NewDisposeScope();
        var g = GoldenCase.Load("domain_transfer.json");
        using var stains = new StainSeparation(g.Tensor("W"), g.Tensor("H"), g.Tensor("B"));
        int[][] pairs = [[0, 2], [1, 3], [3, 0]];
        var targets = new long[] { 0, 1, 2, 3 };
        foreach (var p in pairs) targets[p[0]] = p[1];
        var views = zeros(4, 2, 3, 1024);                     // k = 2: slot 0 left alone, slot 1 the transfer
        var q99 = DomainTransfer.ConcentrationScale(stains.H).data<float>().ToArray();
        PixelKernels.TransferRgb(stains, targets, q99, views, first: 1);
        foreach (var p in pairs)
            GoldenCase.AssertClose(views[p[0], 1], g.Tensor($"rgb_{p[0]}_to_{p[1]}").flatten(1), 1e-4, $"rgb {p[0]}->{p[1]}");
        Assert.Equal(0f, views.select(1, 0).abs().max().item<float>());
    }

    [Fact]
    public void Every_image_gets_one_target_in_each_other_cluster()
    {
        int[] clusters = [0, 0, 1, 1, 2, 2, 2];
        using var t = DomainTransfer.PickTargets(clusters, 3, new TorchSharp.torch.Generator(1));
        Assert.Equal(new long[] { 7, 2 }, t.shape);
        var picked = t.data<long>().ToArray();
        for (int s = 0; s < clusters.Length; s++)
        {
            var got = new[] { clusters[picked[2 * s]], clusters[picked[2 * s + 1]] };
            Assert.Equal(Enumerable.Range(0, 3).Where(j => j != clusters[s]).ToArray(), got);
        }
    }

    [Fact]
    public void Missing_clusters_fall_back_to_another_image_so_views_stay_k_minus_1()
    {
        // Two images, one cluster, k = 4: three views each, all from the other image.
        using var t = DomainTransfer.PickTargets([0, 0], 4, new TorchSharp.torch.Generator(1));
        Assert.Equal(new long[] { 2, 3 }, t.shape);
        Assert.Equal(new long[] { 1, 1, 1, 0, 0, 0 }, t.data<long>().ToArray());
    }
}
