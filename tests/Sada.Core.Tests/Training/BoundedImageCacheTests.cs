using Sada.Core.Imaging;
using Sada.Core.Training;

namespace Sada.Core.Tests.Training;

public class BoundedImageCacheTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "sada-cache-" + Guid.NewGuid().ToString("N"));

    public BoundedImageCacheTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>A smooth image with some texture, written as PNG.</summary>
    string Write(string name, int width, int height, int seed)
    {
        var rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int o = (y * width + x) * 3;
                rgb[o] = (byte)(255 * x / (width - 1));
                rgb[o + 1] = (byte)(255 * y / (height - 1));
                rgb[o + 2] = (byte)(128 + 100 * Math.Sin((x + seed) / 9.0) * Math.Cos(y / 7.0));
            }
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, PngEncoder.Encode(rgb, width, height));
        return path;
    }

    [Theory]
    [InlineData(360, 363, 64, 74, 75)]     // a real cell at 64 px: shorter side ceil(1.15 x 64) = 74
    [InlineData(363, 360, 96, 112, 111)]
    [InlineData(100, 90, 96, 100, 90)]      // already small enough: kept as it is
    public void Training_images_keep_a_shorter_side_of_1_15_the_model_size(int width, int height, int size, int keptW, int keptH)
    {
        Assert.Equal((keptW, keptH), ImagePreparation.KeptSize(ImageUse.Training, width, height, size));
        Assert.Equal((size, size), ImagePreparation.KeptSize(ImageUse.Evaluation, width, height, size));
    }

    [Fact]
    public void Images_are_kept_reduced_with_their_original_size()
    {
        var path = Write("a.png", 120, 100, 0);
        var cache = BoundedImageCache.WithMegabytes(32, 64);
        cache.Load([(path, ImageUse.Training), (path, ImageUse.Evaluation)]);
        var train = cache.Get(path, ImageUse.Training);
        Assert.Equal((44, 37, 120, 100), (train.Pixels.Width, train.Pixels.Height, train.OriginalWidth, train.OriginalHeight));
        Assert.Equal(44 * 37 * 3, train.Pixels.Rgb.Length);
        var eval = cache.Get(path, ImageUse.Evaluation);
        Assert.Equal((32, 32), (eval.Pixels.Width, eval.Pixels.Height));
        Assert.Equal(2, cache.KeptCount);
        Assert.Equal(0, cache.DecodedAgain);
    }

    [Fact]
    public void Evaluation_form_is_evaluations_resize_of_the_full_image_to_within_byte_rounding()
    {
        var path = Write("e.png", 150, 130, 1);
        var cache = BoundedImageCache.WithMegabytes(48, 64);
        cache.Load([(path, ImageUse.Evaluation)]);
        using var kept = CellTransforms.EvalBatch([cache.Get(path, ImageUse.Evaluation).Pixels], 48);
        using var full = CellTransforms.EvalBatch([CellImageDecoder.Decode(path)], 48);
        Assert.True(kept.sub(full).abs().max().item<float>() <= 0.5f / 255 + 1e-6f);
    }

    [Fact]
    public void Beyond_the_budget_images_are_decoded_again_byte_for_byte()
    {
        var paths = Enumerable.Range(0, 12).Select(i => Write($"b{i}.png", 80, 70, i)).ToList();
        // Each training image is kept at 37 x 42 x 3 = 4,662 bytes at 32 px: a budget of 5 of them.
        var small = new BoundedImageCache(32, 5 * 4662);
        small.Load(paths.Select(p => (p, ImageUse.Training)));
        var all = BoundedImageCache.WithMegabytes(32, 64);
        all.Load(paths.Select(p => (p, ImageUse.Training)));

        Assert.Equal(12, small.Count);
        Assert.Equal(5, small.KeptCount);
        Assert.True(small.Bytes <= small.BudgetBytes);
        Assert.Equal(12, all.KeptCount);
        foreach (var p in paths)
            Assert.Equal(all.Get(p, ImageUse.Training).Pixels.Rgb, small.Get(p, ImageUse.Training).Pixels.Rgb);
        Assert.Equal(7, small.DecodedAgain);
        Assert.Equal(0, all.DecodedAgain);
    }

    [Fact]
    public void A_zero_budget_keeps_nothing_and_a_negative_one_is_refused()
    {
        var path = Write("z.png", 40, 40, 2);
        var none = BoundedImageCache.WithMegabytes(32, 0);
        none.Load([(path, ImageUse.Training)]);
        Assert.Equal((1, 0, 0L), (none.Count, none.KeptCount, none.Bytes));
        Assert.Equal(37, none.Get(path, ImageUse.Training).Pixels.Width);
        Assert.Equal(1, none.DecodedAgain);
        Assert.Contains("-1", Assert.Throws<ArgumentException>(() => BoundedImageCache.WithMegabytes(32, -1)).Message);
    }

    [Fact]
    public void Unreadable_files_are_listed_once_and_not_served()
    {
        var bad = Path.Combine(_dir, "bad.png");
        File.WriteAllText(bad, "not an image");
        var cache = BoundedImageCache.WithMegabytes(32, 64);
        cache.Load([(bad, ImageUse.Training), (bad, ImageUse.Evaluation)]);
        Assert.Equal(bad, Assert.Single(cache.Unreadable).Path);
        Assert.False(cache.Contains(bad, ImageUse.Training));
        Assert.Throws<KeyNotFoundException>(() => cache.Get(bad, ImageUse.Training));
    }
}
