using SkiaSharp;

namespace Sada.Core.Tests.Imaging;

/// <summary>Small encoded images for decoder and import tests, drawn with SkiaSharp.</summary>
public static class TestImages
{
    public static byte[] Png(int width = 32, int height = 32, byte r = 200, byte g = 80, byte b = 120, byte a = 255, SKColorType type = SKColorType.Rgba8888)
        => Encode(width, height, new SKColor(r, g, b, a), type, SKEncodedImageFormat.Png);

    public static byte[] Jpeg(int width = 32, int height = 32) => Encode(width, height, new SKColor(90, 60, 160), SKColorType.Rgba8888, SKEncodedImageFormat.Jpeg);

    static byte[] Encode(int width, int height, SKColor color, SKColorType type, SKEncodedImageFormat format)
    {
        var alpha = type == SKColorType.Gray8 ? SKAlphaType.Opaque : color.Alpha == 255 ? SKAlphaType.Opaque : SKAlphaType.Unpremul;
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, type, alpha));
        // A gradient, so that a truncated file loses real content.
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)(color.Red ^ (x * 7)), (byte)(color.Green ^ (y * 5)), color.Blue, color.Alpha));
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, 90);
        return data.ToArray();
    }
}
