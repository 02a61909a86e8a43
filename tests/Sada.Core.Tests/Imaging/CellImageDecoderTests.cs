using System.Text;
using Sada.Core.Imaging;
using SkiaSharp;

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

    /// <summary>A TIFF written with LibTiff.Net: 3 samples per pixel (RGB) or 1 (grayscale), 8 bits, uncompressed.</summary>
    static byte[] Tiff(int width, int height, int samples, Func<int, int, int, byte> value)
    {
        var stream = new MemoryStream();
        using (var tiff = BitMiracle.LibTiff.Classic.Tiff.ClientOpen("t", "w", stream, new BitMiracle.LibTiff.Classic.TiffStream()))
        {
            tiff.SetField(BitMiracle.LibTiff.Classic.TiffTag.IMAGEWIDTH, width);
            tiff.SetField(BitMiracle.LibTiff.Classic.TiffTag.IMAGELENGTH, height);
            tiff.SetField(BitMiracle.LibTiff.Classic.TiffTag.SAMPLESPERPIXEL, samples);
            tiff.SetField(BitMiracle.LibTiff.Classic.TiffTag.BITSPERSAMPLE, 8);
            tiff.SetField(BitMiracle.LibTiff.Classic.TiffTag.PHOTOMETRIC,
                samples == 3 ? BitMiracle.LibTiff.Classic.Photometric.RGB : BitMiracle.LibTiff.Classic.Photometric.MINISBLACK);
            tiff.SetField(BitMiracle.LibTiff.Classic.TiffTag.PLANARCONFIG, BitMiracle.LibTiff.Classic.PlanarConfig.CONTIG);
            tiff.SetField(BitMiracle.LibTiff.Classic.TiffTag.ROWSPERSTRIP, height);
            for (int y = 0; y < height; y++)
            {
                var row = new byte[width * samples];
                for (int x = 0; x < width; x++)
                    for (int c = 0; c < samples; c++) row[x * samples + c] = value(x, y, c);
                tiff.WriteScanline(row, y);
            }
            tiff.Flush();
            return stream.ToArray();
        }
    }

    [Fact]
    public void Rgb_tiff_decodes_pixel_for_pixel()
    {
        var bytes = Tiff(20, 18, 3, (x, y, c) => (byte)(c == 0 ? 10 * x : c == 1 ? 12 * y : 200));
        var image = CellImageDecoder.Decode(bytes);
        Assert.Equal((20, 18), (image.Width, image.Height));
        int o = (5 * 20 + 7) * 3;
        Assert.Equal(new byte[] { 70, 60, 200 }, image.Rgb[o..(o + 3)]);
    }

    [Fact]
    public void Grayscale_tiff_is_converted_to_rgb()
    {
        var image = CellImageDecoder.Decode(Tiff(16, 16, 1, (x, _, _) => (byte)(15 * x)));
        int o = (3 * 16 + 4) * 3;
        Assert.Equal(new byte[] { 60, 60, 60 }, image.Rgb[o..(o + 3)]);
    }

    [Fact]
    public void Truncated_or_garbage_tiff_is_refused_by_name()
    {
        var bytes = Tiff(32, 32, 3, (x, y, c) => (byte)(x + y + c));
        var cut = Assert.Throws<CellImageException>(() => CellImageDecoder.Decode(bytes.AsSpan(0, bytes.Length / 3)));
        Assert.Contains("TIFF", cut.Message);
        var garbage = Assert.Throws<CellImageException>(() => CellImageDecoder.Decode("II*\0\u0008\0\0\0garbage-garbage"u8.ToArray()));
        Assert.Contains("TIFF", garbage.Message);
        var small = Assert.Throws<CellImageException>(() => CellImageDecoder.Decode(Tiff(8, 8, 3, (_, _, _) => 1)));
        Assert.StartsWith("image too small: 8x8 px", small.Message);
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
