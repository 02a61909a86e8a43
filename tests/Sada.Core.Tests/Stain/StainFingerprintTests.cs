using Sada.Core.Imaging;
using Sada.Core.Runtime;
using Sada.Core.Stain;
using Sada.Core.Synthetic;

namespace Sada.Core.Tests.Stain;

public class StainFingerprintTests
{
    public StainFingerprintTests() => TorchRuntime.Initialize("cpu", 1);

    static readonly SyntheticBloodCells Set = new(new SyntheticSetOptions(Centers: 3, PerCenter: 60, Size: 48, Seed: 2));

    static List<DecodedImage> Images(int center, int skip, int take) =>
        Set.Cells.Where(c => c.Center == center).Skip(skip).Take(take)
            .Select(c => new DecodedImage(48, 48, Set.RenderRgb(c))).ToList();

    [Fact]
    public void Stain_vectors_are_unit_and_non_negative_and_the_json_round_trips()
    {
        var print = StainFingerprint.Compute(Images(0, 0, 20));
        Assert.Equal(2, print.Stains.Length);
        Assert.Equal(20, print.Images);
        foreach (var w in print.Stains)
        {
            Assert.Equal(1.0, Math.Sqrt(w.Sum(x => x * x)), 3);
            Assert.All(w, x => Assert.True(x >= 0));
        }
        Assert.Equal(9, print.Descriptor().Length);
        var back = StainFingerprint.FromJson(print.ToJson())!;
        Assert.Equal(print.Descriptor(), back.Descriptor());
        Assert.Equal(0, StainFingerprint.Distance(print, back));
    }

    [Fact]
    public void Two_samples_of_one_center_sit_closer_than_two_centers()
    {
        var a1 = StainFingerprint.Compute(Images(0, 0, 25));
        var a2 = StainFingerprint.Compute(Images(0, 25, 25));
        var b = StainFingerprint.Compute(Images(1, 0, 25));
        var c = StainFingerprint.Compute(Images(2, 0, 25));
        double within = StainFingerprint.Distance(a1, a2);
        double between = new[] { StainFingerprint.Distance(a1, b), StainFingerprint.Distance(a1, c), StainFingerprint.Distance(b, c) }.Min();
        Assert.True(between > 3 * within, $"within a center {within:F4}, between centers {between:F4}");
    }

    [Fact]
    public void The_sample_is_seeded_and_bounded()
    {
        Assert.Equal(StainFingerprint.SampleIndices(1000, 3), StainFingerprint.SampleIndices(1000, 3));
        Assert.Equal(StainFingerprint.SampleSize, StainFingerprint.SampleIndices(1000, 3).Count);
        Assert.Equal(10, StainFingerprint.SampleIndices(10, 3).Count);
    }
}
