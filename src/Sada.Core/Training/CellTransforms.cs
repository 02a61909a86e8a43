using Sada.Core.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Training;

/// <summary>
/// The method's input transforms on decoded cells, producing float tensors in [0, 1] (not normalised):
/// training = RandomResizedCrop (scale 0.7-1, torchvision's aspect ratios 3/4-4/3) + horizontal flip;
/// evaluation = resize to the model size. Training crops of a <see cref="PreparedImage"/> draw their box in the full image's
/// coordinates and cut the same region out of the reduced pixels.
/// </summary>
public static class CellTransforms
{
    const double MinRatio = 3.0 / 4, MaxRatio = 4.0 / 3;

    public static Tensor TrainBatch(IReadOnlyList<DecodedImage> images, int size, double scaleMin, double scaleMax, Random rng) =>
        TrainBatch(images.Select(i => new PreparedImage(i, i.Width, i.Height)).ToList(), size, scaleMin, scaleMax, rng);

    public static Tensor TrainBatch(IReadOnlyList<PreparedImage> images, int size, double scaleMin, double scaleMax, Random rng)
    {
        using var scope = NewDisposeScope();
        var crops = new Tensor[images.Count];
        for (int i = 0; i < images.Count; i++)
        {
            var image = images[i];
            var box = CropBox(image.OriginalHeight, image.OriginalWidth, scaleMin, scaleMax, rng);
            var (top, left, h, w) = ScaleBox(box, image);
            var crop = Resize(ToTensor(image.Pixels)[.., TensorIndex.Slice(top, top + h), TensorIndex.Slice(left, left + w)], size, size);
            crops[i] = rng.NextDouble() < 0.5 ? crop.flip(2) : crop;
        }
        return stack(crops).MoveToOuterDisposeScope();
    }

    public static Tensor EvalBatch(IReadOnlyList<DecodedImage> images, int size)
    {
        using var scope = NewDisposeScope();
        return stack(images.Select(i => Resize(ToTensor(i), size, size)).ToArray()).MoveToOuterDisposeScope();
    }

    /// <summary>A box drawn on the full image, in the reduced pixels' coordinates: edges scaled and rounded, at least a pixel.</summary>
    internal static (int Top, int Left, int Height, int Width) ScaleBox((int Top, int Left, int Height, int Width) box, PreparedImage image)
    {
        if (!image.IsReduced) return box;
        double sy = (double)image.Pixels.Height / image.OriginalHeight, sx = (double)image.Pixels.Width / image.OriginalWidth;
        int top = Math.Min(image.Pixels.Height - 1, (int)Math.Round(box.Top * sy));
        int left = Math.Min(image.Pixels.Width - 1, (int)Math.Round(box.Left * sx));
        int bottom = Math.Clamp((int)Math.Round((box.Top + box.Height) * sy), top + 1, image.Pixels.Height);
        int right = Math.Clamp((int)Math.Round((box.Left + box.Width) * sx), left + 1, image.Pixels.Width);
        return (top, left, bottom - top, right - left);
    }

    /// <summary>torchvision's RandomResizedCrop.get_params: ten tries at a random area and aspect ratio, then a central crop.</summary>
    internal static (int Top, int Left, int Height, int Width) CropBox(int height, int width, double scaleMin, double scaleMax, Random rng)
    {
        double area = (double)height * width;
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double target = area * (scaleMin + (scaleMax - scaleMin) * rng.NextDouble());
            double ratio = Math.Exp(Math.Log(MinRatio) + (Math.Log(MaxRatio) - Math.Log(MinRatio)) * rng.NextDouble());
            int w = (int)Math.Round(Math.Sqrt(target * ratio));
            int h = (int)Math.Round(Math.Sqrt(target / ratio));
            if (w > 0 && h > 0 && w <= width && h <= height)
                return (rng.Next(height - h + 1), rng.Next(width - w + 1), h, w);
        }
        double inRatio = (double)width / height;
        int cw = width, ch = height;
        if (inRatio < MinRatio) ch = (int)Math.Round(width / MinRatio);
        else if (inRatio > MaxRatio) cw = (int)Math.Round(height * MaxRatio);
        return ((height - ch) / 2, (width - cw) / 2, ch, cw);
    }

    /// <summary>HWC bytes to a (3, H, W) float tensor in [0, 1].</summary>
    internal static Tensor ToTensor(DecodedImage image) =>
        tensor(image.Rgb, [image.Height, image.Width, 3]).permute(2, 0, 1).to(ScalarType.Float32).div_(255f);

    internal static Tensor Resize(Tensor chw, int height, int width)
    {
        if (chw.shape[1] == height && chw.shape[2] == width) return chw;
        // Antialiasing when shrinking, as torchvision's tensor Resize does.
        return nn.functional.interpolate(chw.unsqueeze(0), [height, width], mode: InterpolationMode.Bilinear, align_corners: false, antialias: true)
            .squeeze(0).clamp_(0, 1);
    }
}
