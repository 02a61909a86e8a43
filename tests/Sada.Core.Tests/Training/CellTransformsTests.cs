using Sada.Core.Imaging;
using Sada.Core.Training;

namespace Sada.Core.Tests.Training;

public class CellTransformsTests
{
    static DecodedImage Gradient(int w, int h)
    {
        var rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int o = (y * w + x) * 3;
                rgb[o] = (byte)(255 * x / (w - 1));
                rgb[o + 1] = (byte)(255 * y / (h - 1));
                rgb[o + 2] = 128;
            }
        return new DecodedImage(w, h, rgb);
    }

    [Fact]
    public void Crop_boxes_follow_torchvision_bounds()
    {
        var rng = new Random(0);
        for (int i = 0; i < 500; i++)
        {
            var (top, left, h, w) = CellTransforms.CropBox(60, 80, 0.7, 1.0, rng);
            Assert.InRange(top, 0, 60 - h);
            Assert.InRange(left, 0, 80 - w);
            double area = (double)h * w / (60 * 80);
            Assert.InRange(area, 0.66, 1.0); // rounding of w and h moves the area a little
            Assert.InRange((double)w / h, 0.70, 1.40);
        }
    }

    [Fact]
    public void Train_batch_is_in_unit_range_at_the_model_size_and_seeded()
    {
        var images = new[] { Gradient(40, 30), Gradient(50, 50) };
        using var a = CellTransforms.TrainBatch(images, 32, 0.7, 1.0, new Random(1));
        using var b = CellTransforms.TrainBatch(images, 32, 0.7, 1.0, new Random(1));
        Assert.Equal([2L, 3, 32, 32], a.shape);
        Assert.True(a.min().item<float>() >= 0 && a.max().item<float>() <= 1);
        Assert.True(a.equal(b).all().item<bool>());
    }

    [Fact]
    public void Eval_batch_resizes_the_whole_image()
    {
        var image = Gradient(64, 64);
        using var x = CellTransforms.EvalBatch([image], 64);
        // Same size: pixels pass through unchanged (bytes / 255).
        Assert.Equal(image.Rgb[3 * 10 + 0] / 255f, x[0, 0, 0, 10].item<float>(), 6);
        using var small = CellTransforms.EvalBatch([image], 16);
        Assert.Equal([1L, 3, 16, 16], small.shape);
        // The red channel still grows left to right after resizing.
        Assert.True(small[0, 0, 8, 15].item<float>() > small[0, 0, 8, 0].item<float>() + 0.8);
    }

    /// <summary>A gradient with a texture about 20 px across: detail that a crop from the reduced image must keep in place.</summary>
    static DecodedImage Textured(int w, int h)
    {
        var image = Gradient(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                image.Rgb[(y * w + x) * 3 + 2] = (byte)(128 + 90 * Math.Sin(x / 3.2) * Math.Cos(y / 2.9));
        return image;
    }

    [Theory]
    [InlineData(64)]
    [InlineData(96)]
    public void Crops_of_the_reduced_image_match_crops_of_the_full_image(int size)
    {
        var full = Textured(360, 363);
        var reduced = ImagePreparation.Prepare(full, ImageUse.Training, size);
        Assert.True(reduced.IsReduced);
        for (int seed = 0; seed < 4; seed++)
        {
            // The same seed draws the same boxes (in the full image's coordinates) and the same flips.
            using var fromFull = CellTransforms.TrainBatch([full], size, 0.7, 1.0, new Random(seed));
            using var fromReduced = CellTransforms.TrainBatch([reduced], size, 0.7, 1.0, new Random(seed));
            Assert.Equal(fromFull.shape, fromReduced.shape);
            float mean = fromFull.sub(fromReduced).abs().mean().item<float>();
            // The same region to a fraction of an output pixel, resampled in two stages instead of one.
            Assert.True(mean < 0.03f, $"seed {seed}: mean difference {mean:F4}");
        }
    }

    [Fact]
    public void Scaled_crop_boxes_stay_inside_the_reduced_image()
    {
        var reduced = new PreparedImage(new DecodedImage(37, 42, new byte[37 * 42 * 3]), 300, 340);
        var rng = new Random(5);
        for (int i = 0; i < 500; i++)
        {
            var (top, left, h, w) = CellTransforms.ScaleBox(CellTransforms.CropBox(340, 300, 0.7, 1.0, rng), reduced);
            Assert.InRange(h, 1, 42 - top);
            Assert.InRange(w, 1, 37 - left);
            Assert.True(top >= 0 && left >= 0);
        }
    }
}
