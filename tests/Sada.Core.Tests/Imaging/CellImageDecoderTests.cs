using System.Text;
using SkiaSharp;
using Sada.Core.Imaging;

namespace Sada.Core.Tests.Imaging;

public class CellImageDecoderTests
{
    [Fact]
    public void Decodes_a_png_to_hwc_rgb()
    {
        var image = CellImageDecoder.Decode(TestImages.Png(40, 24));
        Assert.Equal((40, 24), (image.Width, image.Height));
        Assert.Equal(40 * 24 * 3, image.Rgb.Length);
        Assert.Equal(80, image.Rgb[1]); // pixel (0,0): green channel as drawn
    }

    [Fact]
    public void Decodes_a_jpeg_and_a_file_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"sada-decoder-{Guid.NewGuid():N}.jpg");
        File.WriteAllBytes(path, TestImages.Jpeg(48, 48));
        try { Assert.Equal(48, CellImageDecoder.Decode(path).Width); }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Grayscale_is_converted_to_rgb_not_refused()
    {
        var image = CellImageDecoder.Decode(TestImages.Png(20, 20, type: SKColorType.Gray8));
        for (int i = 0; i < 20 * 20; i++)
        {
            Assert.Equal(image.Rgb[3 * i], image.Rgb[3 * i + 1]);
            Assert.Equal(image.Rgb[3 * i], image.Rgb[3 * i + 2]);
        }
    }

    [Fact]
    public void Rgba_is_composited_on_white_not_refused()
    {
        var transparent = CellImageDecoder.Decode(TestImages.Png(16, 16, 0, 0, 0, a: 0));
        Assert.All(transparent.Rgb, v => Assert.Equal(255, v));
        var half = CellImageDecoder.Decode(TestImages.Png(16, 16, 0, 0, 0, a: 128));
        Assert.InRange(half.Rgb[2], 125, 129); // black at 50 % over white
    }

    [Fact]
    public void Zero_byte_file_is_refused()
    {
        var e = Assert.Throws<CellImageException>(() => CellImageDecoder.Decode([]));
        Assert.Contains("zero-byte file", e.Message);
    }

    [Fact]
    public void Non_image_is_refused()
    {
        var e = Assert.Throws<CellImageException>(() => CellImageDecoder.Decode(Encoding.UTF8.GetBytes("center,class\nA,neutrophil\n")));
        Assert.Contains("not an image", e.Message);
    }

    [Fact]
    public void Truncated_png_is_refused()
    {
        var png = TestImages.Png(64, 64);
        var e = Assert.Throws<CellImageException>(() => CellImageDecoder.Decode(png.AsSpan(0, png.Length * 2 / 3)));
        Assert.Contains("truncated image", e.Message);
    }

    [Fact]
    public void Png_cut_inside_its_header_is_truncated_not_a_non_image()
    {
        var e = Assert.Throws<CellImageException>(() => CellImageDecoder.Decode(TestImages.Png().AsSpan(0, 20)));
        Assert.StartsWith("truncated image: the PNG file ends inside its header", e.Message);
    }

    [Fact]
    public void Tiff_is_named_as_unsupported()
    {
        var e = Assert.Throws<CellImageException>(() => CellImageDecoder.Decode("II*\0\u0008\0\0\0garbage-garbage"u8.ToArray()));
        Assert.Contains("TIFF cannot be decoded", e.Message);
    }

    [Fact]
    public void Truncated_jpeg_is_refused()
    {
        var jpeg = TestImages.Jpeg(64, 64);
        var e = Assert.Throws<CellImageException>(() => CellImageDecoder.Decode(jpeg.AsSpan(0, jpeg.Length / 2)));
        Assert.Contains("truncated image", e.Message);
    }

    [Fact]
    public void Corrupt_png_is_refused()
    {
        var png = TestImages.Png(64, 64);
        // Scramble the compressed pixel data but keep the header: it parses, then fails to inflate.
        int idat = IndexOf(png, "IDAT"u8) + 4;
        for (int i = idat + 2; i < idat + 40; i++) png[i] ^= 0x5A;
        var e = Assert.Throws<CellImageException>(() => CellImageDecoder.Decode(png));
        Assert.Matches("corrupt image|truncated image", e.Message);
    }

    [Fact]
    public void Image_below_16_px_is_refused_with_its_size()
    {
        var e = Assert.Throws<CellImageException>(() => CellImageDecoder.Decode(TestImages.Png(12, 40)));
        Assert.Equal("image too small: 12x40 px, below the 16x16 minimum", e.Message);
    }

    [Fact]
    public void Path_errors_name_the_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"sada-decoder-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(path, []);
        try { Assert.StartsWith(path + ": zero-byte file", Assert.Throws<CellImageException>(() => CellImageDecoder.Decode(path)).Message); }
        finally { File.Delete(path); }
    }

    static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);
}
