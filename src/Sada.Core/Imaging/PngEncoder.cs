using SkiaSharp;

namespace Sada.Core.Imaging;

/// <summary>Decoded RGB back to PNG: what browsers are sent (contact cells, previews, TIFF sources they cannot show).</summary>
public static class PngEncoder
{
    public static byte[] Encode(DecodedImage image) => Encode(image.Rgb, image.Width, image.Height);

    /// <summary>RGB (height x width x 3 bytes) to PNG bytes.</summary>
    public static byte[] Encode(byte[] rgb, int width, int height)
    {
        if (rgb.Length != width * height * 3) throw new ArgumentException($"{rgb.Length} bytes are not {width} x {height} RGB pixels", nameof(rgb));
        var rgba = new byte[width * height * 4];
        for (int i = 0; i < width * height; i++)
        {
            rgba[4 * i] = rgb[3 * i]; rgba[4 * i + 1] = rgb[3 * i + 1]; rgba[4 * i + 2] = rgb[3 * i + 2]; rgba[4 * i + 3] = 255;
        }
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var image = SKImage.FromPixelCopy(info, rgba);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
