using Sada.Core.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Training;

/// <summary>
/// The method's input transforms on decoded cells, producing float tensors in [0, 1] (not normalised):
/// training = RandomResizedCrop (scale 0.7-1, torchvision's aspect ratios 3/4-4/3) + horizontal flip;
/// evaluation = resize to the model size.
/// </summary>
public static class CellTransforms
{
    const double MinRatio = 3.0 / 4, MaxRatio = 4.0 / 3;

    public static Tensor TrainBatch(IReadOnlyList<DecodedImage> images, int size, double scaleMin, double scaleMax, Random rng)
    {
        using var scope = NewDisposeScope();
        var crops = new Tensor[images.Count];
        for (int i = 0; i < images.Count; i++)
        {
            var image = images[i];
            var (top, left, h, w) = CropBox(image.Height, image.Width, scaleMin, scaleMax, rng);
            var crop = Resize(ToTensor(image)[.., TensorIndex.Slice(top, top + h), TensorIndex.Slice(left, left + w)], size);
            crops[i] = rng.NextDouble() < 0.5 ? crop.flip(2) : crop;
        }
        return stack(crops).MoveToOuterDisposeScope();
    }

    public static Tensor EvalBatch(IReadOnlyList<DecodedImage> images, int size)
    {
        using var scope = NewDisposeScope();
        return stack(images.Select(i => Resize(ToTensor(i), size)).ToArray()).MoveToOuterDisposeScope();
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
    static Tensor ToTensor(DecodedImage image) =>
        tensor(image.Rgb, [image.Height, image.Width, 3]).permute(2, 0, 1).to(ScalarType.Float32).div_(255f);

    static Tensor Resize(Tensor chw, int size)
    {
        if (chw.shape[1] == size && chw.shape[2] == size) return chw;
        // Antialiasing when shrinking, as torchvision's tensor Resize does.
        return nn.functional.interpolate(chw.unsqueeze(0), [size, size], mode: InterpolationMode.Bilinear, align_corners: false, antialias: true)
            .squeeze(0).clamp_(0, 1);
    }
}
