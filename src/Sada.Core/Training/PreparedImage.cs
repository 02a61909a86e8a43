using Sada.Core.Imaging;
using static TorchSharp.torch;

namespace Sada.Core.Training;

/// <summary>What a run uses an image for, which decides the size it is kept at.</summary>
public enum ImageUse
{
    /// <summary>Random resized crops: kept with a shorter side of <see cref="ImagePreparation.TrainingScale"/> x the model size.</summary>
    Training,
    /// <summary>Held-out and validation cells: kept as evaluation's resize to the model size, the only form evaluation reads.</summary>
    Evaluation,
}

/// <summary>
/// A cell image as a run keeps it: 8-bit RGB reduced to what its use needs, with the size of the file's image, in whose
/// coordinates crop boxes are drawn (so the random draws, and the crops' proportions, are those of the full image).
/// </summary>
public sealed record PreparedImage(DecodedImage Pixels, int OriginalWidth, int OriginalHeight)
{
    public bool IsReduced => Pixels.Width != OriginalWidth || Pixels.Height != OriginalHeight;
    public long Bytes => Pixels.Rgb.LongLength;
}

/// <summary>From a decoded image to the form a run keeps (<see cref="PreparedImage"/>).</summary>
public static class ImagePreparation
{
    /// <summary>
    /// Shorter side of a training image relative to the model size. A RandomResizedCrop at scale 0.7 to 1 covers at least
    /// about 84 % of each side, so 1.15 x S keeps a crop's pixels near S; only the smallest, most elongated crops are
    /// enlarged a little from the reduced image (docs/perf.md).
    /// </summary>
    public const double TrainingScale = 1.15;

    /// <summary>The size an image of <paramref name="width"/> x <paramref name="height"/> is kept at for <paramref name="use"/>.</summary>
    public static (int Width, int Height) KeptSize(ImageUse use, int width, int height, int imageSize)
    {
        if (use == ImageUse.Evaluation) return (imageSize, imageSize);
        int shorter = Math.Min(width, height);
        int target = (int)Math.Ceiling(TrainingScale * imageSize);
        if (shorter <= target) return (width, height);
        double scale = (double)target / shorter;
        return width <= height
            ? (target, Math.Max(target, (int)Math.Round(height * scale)))
            : (Math.Max(target, (int)Math.Round(width * scale)), target);
    }

    /// <summary>The image reduced for <paramref name="use"/> (evaluation: exactly <see cref="CellTransforms.EvalBatch"/>'s resize, rounded to bytes).</summary>
    public static PreparedImage Prepare(DecodedImage image, ImageUse use, int imageSize)
    {
        var (w, h) = KeptSize(use, image.Width, image.Height, imageSize);
        if (w == image.Width && h == image.Height) return new PreparedImage(image, image.Width, image.Height);
        return new PreparedImage(Resize(image, w, h), image.Width, image.Height);
    }

    /// <summary>Antialiased bilinear resize (as torchvision's tensor Resize) of 8-bit RGB, rounded back to bytes.</summary>
    internal static DecodedImage Resize(DecodedImage image, int width, int height)
    {
        using var scope = NewDisposeScope();
        var chw = CellTransforms.ToTensor(image);
        var resized = CellTransforms.Resize(chw, height, width);
        using var hwc = resized.mul(255f).round_().clamp_(0, 255).to(ScalarType.Byte).permute(1, 2, 0).contiguous();
        return new DecodedImage(width, height, hwc.data<byte>().ToArray());
    }
}
