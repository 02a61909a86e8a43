using Sada.Core.Stain;
using Sada.Core.Tests.Golden;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Stain;

/// <summary>
/// The stain pieces on six real cells (tests/golden/real_stain.json: three from Acevedo-20, three from BCCD, computed with the
/// authors' convert_RGB_to_OD, SNMF and domain_transfer): real backgrounds are not white and have saturated pixels, which the
/// synthetic golden cases do not.
/// </summary>
public class RealStainGoldenTests
{
    static readonly GoldenCase Golden = GoldenCase.Load("real_stain.json");

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Optical_density_of_real_cells_matches_golden(bool fused)
    {
        using var scope = NewDisposeScope();
        GoldenCase.AssertClose(OpticalDensity.FromRgb(Golden.Tensor("rgb"), fused), Golden.Tensor("od"), 1e-5, "od");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Snmf_of_real_cells_matches_golden(bool fused)
    {
        using var scope = NewDisposeScope();
        var od = Golden.Tensor("od");
        using var s = Snmf.Separate(od.flatten(2), (int)Golden.Param("r"), (int)Golden.Param("max_iter"), Golden.Param("lmbda"), fused);
        GoldenCase.AssertClose(s.B, Golden.Tensor("B"), 1e-4, "B");
        GoldenCase.AssertClose(s.W, Golden.Tensor("W"), 1e-4, "W");
        GoldenCase.AssertClose(s.H, Golden.Tensor("H"), 1e-4, "H");
    }

    [Fact]
    public void Stain_transfer_between_real_cells_matches_golden_for_every_pair()
    {
        using var scope = NewDisposeScope();
        using var stains = new StainSeparation(Golden.Tensor("W"), Golden.Tensor("H"), Golden.Tensor("B"));
        var pairs = Golden.Params.GetProperty("pairs").EnumerateArray().Select(p => p.EnumerateArray().Select(x => x.GetInt32()).ToArray()).ToList();
        Assert.Equal(4, pairs.Count);
        // One batched call: each golden source is transferred to its target, the other cells to themselves.
        var targets = Enumerable.Range(0, 6).Select(i => (long)i).ToArray();
        foreach (var p in pairs) targets[p[0]] = p[1];
        var od = DomainTransfer.TransferOd(stains, tensor(targets, [6, 1]));
        var rgb = DomainTransfer.TransferRgb(stains, tensor(targets, [6, 1]));
        foreach (var p in pairs)
        {
            GoldenCase.AssertClose(od[p[0], 0], Golden.Tensor($"od_{p[0]}_to_{p[1]}").flatten(1), 1e-4, $"od {p[0]}->{p[1]}");
            GoldenCase.AssertClose(rgb[p[0], 0], Golden.Tensor($"rgb_{p[0]}_to_{p[1]}").flatten(1), 1e-4, $"rgb {p[0]}->{p[1]}");
        }
    }

    [Fact]
    public void The_whole_chain_from_real_rgb_to_transferred_rgb_matches_golden()
    {
        // Our OD, then our SNMF, then our transfer: the errors of the pieces do not add up past the tolerance.
        using var scope = NewDisposeScope();
        var od = OpticalDensity.FromRgb(Golden.Tensor("rgb"));
        using var stains = Snmf.Separate(od.flatten(2), (int)Golden.Param("r"), (int)Golden.Param("max_iter"), Golden.Param("lmbda"));
        var targets = new long[] { 3, 1, 5, 0, 1, 5 };
        var rgb = DomainTransfer.TransferRgb(stains, tensor(targets, [6, 1]));
        GoldenCase.AssertClose(rgb[0, 0], Golden.Tensor("rgb_0_to_3").flatten(1), 1e-3, "rgb 0->3");
        GoldenCase.AssertClose(rgb[3, 0], Golden.Tensor("rgb_3_to_0").flatten(1), 1e-3, "rgb 3->0");
        GoldenCase.AssertClose(rgb[2, 0], Golden.Tensor("rgb_2_to_5").flatten(1), 1e-3, "rgb 2->5");
    }
}
