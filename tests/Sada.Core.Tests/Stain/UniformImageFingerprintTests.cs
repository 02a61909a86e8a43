using Sada.Core.Imaging;
using Sada.Core.Runtime;
using Sada.Core.Stain;
using Sada.Core.Synthetic;

namespace Sada.Core.Tests.Stain;

/// <summary>Uniform and nearly empty images are valid cells: the fingerprint stays finite, or leaves them out and says which.</summary>
public class UniformImageFingerprintTests
{
    public UniformImageFingerprintTests() => TorchRuntime.Initialize("cpu", 1);

    static readonly SyntheticBloodCells Set = new(new SyntheticSetOptions(Centers: 1, PerCenter: 12, Size: 32, Seed: 5));

    static List<DecodedImage> Cells(int count) => Set.Cells.Take(count).Select(c => new DecodedImage(32, 32, Set.RenderRgb(c))).ToList();

    static DecodedImage Uniform(byte r, byte g, byte b) =>
        new(32, 32, Enumerable.Range(0, 32 * 32).SelectMany(_ => new[] { r, g, b }).ToArray());

    /// <summary>White with one stained pixel: nearly empty, still an image with stain in it.</summary>
    static DecodedImage NearlyEmpty()
    {
        var image = Uniform(255, 255, 255);
        (image.Rgb[300], image.Rgb[301], image.Rgb[302]) = (120, 40, 160);
        return image;
    }

    static void AssertFinite(StainFingerprint print) =>
        Assert.All(print.Descriptor().Concat(print.Stains.SelectMany(s => print.StainColor(Array.IndexOf(print.Stains, s)))), v => Assert.True(double.IsFinite(v), $"{v} in the fingerprint"));

    public static TheoryData<string, byte, byte, byte> Colours => new()
    {
        { "black", 0, 0, 0 }, { "white", 255, 255, 255 }, { "grey", 128, 128, 128 }, { "pink", 230, 150, 190 },
    };

    [Theory]
    [MemberData(nameof(Colours))]
    public void A_uniform_image_among_cells_is_left_out_and_named(string colour, byte r, byte g, byte b)
    {
        var images = Cells(5);
        images.Insert(2, Uniform(r, g, b));

        var print = StainFingerprint.TryCompute(images, out var leftOut);

        Assert.NotNull(print);
        Assert.Equal([2], leftOut);
        Assert.Equal(5, print.Images);
        AssertFinite(print);
        Assert.DoesNotContain("NaN", print.ToJson());
        Assert.True(StainFingerprint.Distance(print, StainFingerprint.Compute(Cells(5))) < 1e-9, $"{colour}: the cells alone give the same fingerprint");
    }

    [Theory]
    [MemberData(nameof(Colours))]
    public void A_center_of_uniform_images_only_has_no_fingerprint_rather_than_an_infinite_one(string colour, byte r, byte g, byte b)
    {
        var print = StainFingerprint.TryCompute([Uniform(r, g, b)], out var leftOut);

        Assert.Null(print);
        Assert.Equal([0], leftOut);
        var e = Assert.Throws<ArgumentException>(() => StainFingerprint.Compute([Uniform(r, g, b)]));
        Assert.Contains("uniform", e.Message);
        Assert.NotEmpty(colour);
    }

    [Fact]
    public void A_nearly_empty_image_gives_a_finite_fingerprint()
    {
        var print = StainFingerprint.TryCompute([NearlyEmpty(), NearlyEmpty()], out var leftOut);

        Assert.NotNull(print);
        Assert.Empty(leftOut);
        AssertFinite(print);
        Assert.DoesNotContain("NaN", print.ToJson());
    }
}
