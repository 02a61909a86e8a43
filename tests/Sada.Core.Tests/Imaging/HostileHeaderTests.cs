using System.Diagnostics;
using BitMiracle.LibTiff.Classic;
using Sada.Core.Imaging;

namespace Sada.Core.Tests.Imaging;

/// <summary>Decompression bombs and lying headers are refused from the header, before any pixel buffer exists.</summary>
public class HostileHeaderTests
{
    static long Allocated(Action decode)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        decode();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void A_real_image_above_the_pixel_limit_is_refused_with_its_size_before_decoding()
    {
        var png = TestImages.Png(500, 400);
        CellImageException? refused = null;

        long allocated = Allocated(() => refused = Assert.Throws<CellImageException>(() => CellImageDecoder.Decode(png, maxPixels: 100_000)));

        Assert.Equal("image too large: 500x400 px (200,000 pixels), above the 100,000-pixel limit", refused!.Message);
        // Decoding would need 200,000 x 7 bytes; refusing costs about one copy of the small file.
        Assert.True(allocated < 3 * png.Length + 100_000 && allocated < 200_000 * 7, $"{allocated:N0} bytes allocated to refuse a {png.Length:N0}-byte file");
        Assert.Equal(500, CellImageDecoder.Decode(png, maxPixels: 200_000).Width);
    }

    [Fact]
    public void The_69_byte_png_declaring_50000_squared_is_refused_not_an_overflow()
    {
        var bomb = HostileImages.LyingPng(50_000, 50_000);

        var e = Assert.Throws<CellImageException>(() => CellImageDecoder.Decode(bomb));

        Assert.Equal("image too large: 50000x50000 px (2,500,000,000 pixels), above the 40,000,000-pixel limit", e.Message);
        Assert.True(bomb.Length < 80);
    }

    [Fact]
    public void A_png_header_claiming_more_than_its_bytes_can_hold_is_refused_even_under_the_limit()
    {
        var liar = HostileImages.LyingPng(6000, 6000); // 36 megapixels, in under 80 bytes

        long allocated = Allocated(() =>
            Assert.StartsWith("corrupt image: the PNG header declares 6000x6000 px, more than its", Assert.Throws<CellImageException>(() => CellImageDecoder.Decode(liar)).Message));

        Assert.True(allocated < 1_000_000, $"{allocated:N0} bytes allocated");
    }

    [Theory]
    [InlineData("png")]
    [InlineData("bmp")]
    [InlineData("jpeg")]
    [InlineData("tiff")]
    public void Rewritten_dimensions_are_refused_by_size_in_every_format(string format)
    {
        var liar = format switch
        {
            "png" => HostileImages.WithPngSize(TestImages.Png(), 70_000, 70_000),
            "bmp" => HostileImages.WithBmpSize(HostileImages.Bmp(), 60_000, 60_000),
            "jpeg" => HostileImages.WithJpegSize(TestImages.Jpeg(), 65_000, 65_000),
            _ => HostileImages.WithTiffTag(HostileImages.WithTiffTag(HostileImages.Tiff(), TiffTag.IMAGEWIDTH, 60_000), TiffTag.IMAGELENGTH, 60_000),
        };

        var e = Assert.Throws<CellImageException>(() => CellImageDecoder.Decode(liar));

        Assert.Matches(@"^image too large: \d+x\d+ px \([\d,]+ pixels\), above the 40,000,000-pixel limit$", e.Message);
    }

    [Fact]
    public void A_bmp_whose_height_overflows_is_refused()
    {
        // int.MinValue rows: the sign says top-down, the size cannot be negated.
        var e = Assert.Throws<CellImageException>(() => CellImageDecoder.Decode(HostileImages.WithBmpSize(HostileImages.Bmp(), 32, int.MinValue)));
        Assert.Matches("corrupt image|truncated image|not an image|image too large", e.Message);
    }

    [Fact]
    public void A_tiff_whose_strip_byte_count_lies_costs_no_more_than_its_image()
    {
        var tiff = HostileImages.WithTiffTag(HostileImages.Tiff(), TiffTag.STRIPBYTECOUNTS, 0x7FFF_FFF0);

        // LibTiff recomputes a bogus count of a single strip; either way no 2 GB buffer is allocated for it.
        long allocated = Allocated(() =>
        {
            try { Assert.Equal(32, CellImageDecoder.Decode(tiff).Width); }
            catch (CellImageException e) { Assert.Contains("TIFF", e.Message); }
        });

        Assert.True(allocated < 1_000_000, $"{allocated:N0} bytes allocated");
    }

    [Fact]
    public void A_tiff_whose_second_strip_lies_outside_the_file_is_refused_before_reading_it()
    {
        var tiff = HostileImages.Tiff(32, 32, rowsPerStrip: 16);
        var offsets = HostileImages.TiffEntries(tiff).Single(e => BitConverter.ToUInt16(tiff, e.Offset) == (ushort)TiffTag.STRIPBYTECOUNTS);
        // Two strips: the tag points at an array of two counts; the second becomes far larger than the file.
        int array = (int)BitConverter.ToUInt32(tiff, offsets.Offset + 8);
        int size = offsets.Type == 3 ? 2 : 4;
        if (size == 2) BitConverter.TryWriteBytes(tiff.AsSpan(array + 2), (ushort)60_000);
        else BitConverter.TryWriteBytes(tiff.AsSpan(array + 4), 600_000_000u);

        var e = Assert.Throws<CellImageException>(() => CellImageDecoder.Decode(tiff));

        Assert.StartsWith("corrupt or truncated image: the TIFF's strip 1 lies outside the file's", e.Message);
    }

    [Fact]
    public void A_tiff_with_absurd_samples_is_refused()
    {
        var e = Assert.Throws<CellImageException>(() => CellImageDecoder.Decode(HostileImages.WithTiffTag(HostileImages.Tiff(), TiffTag.SAMPLESPERPIXEL, 60_000)));
        Assert.StartsWith("corrupt image", e.Message);
    }

    [Fact]
    public void A_file_too_large_for_any_image_within_the_limit_is_not_read()
    {
        var path = Path.Combine(Path.GetTempPath(), $"sada-large-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(path, new byte[CellImageDecoder.MaxFileBytes(256) + 1]);
        try
        {
            var e = Assert.Throws<CellImageException>(() => CellImageDecoder.Decode(path, maxPixels: 256));
            Assert.StartsWith($"{path}: file too large: 1,050,625 bytes", e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void The_process_wide_limit_has_bounds()
    {
        Assert.Equal(CellImageDecoder.DefaultMaxPixels, CellImageDecoder.MaxPixels);
        Assert.Throws<ArgumentOutOfRangeException>(() => CellImageDecoder.MaxPixels = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => CellImageDecoder.MaxPixels = CellImageDecoder.UpperMaxPixels + 1);
        Assert.Equal(CellImageDecoder.DefaultMaxPixels, CellImageDecoder.MaxPixels);
        // The configuration key, checked when the app or the CLI starts.
        Assert.Equal(40_000_000, new Sada.Core.Configuration.SadaOptions().MaxImagePixels);
        var e = Assert.Throws<ArgumentException>(() => new Sada.Core.Configuration.SadaOptions { MaxImagePixels = 600_000_000 }.Validate());
        Assert.Equal("Sada:MaxImagePixels must be between 256 and 500,000,000, not 600000000.", e.Message);
        new Sada.Core.Configuration.SadaOptions { MaxImagePixels = 256 }.Validate();
    }

    [Fact]
    public void Dev_zero_is_refused_as_a_device_without_reading_it()
    {
        if (!File.Exists("/dev/zero")) return; // a Unix device; Windows has none at a path
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<CellImageException>(() => CellImageDecoder.Decode("/dev/zero"));
        Assert.Equal("/dev/zero: not a regular file: it is a character device", e.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_fifo_is_refused_without_opening_it()
    {
        if (OperatingSystem.IsWindows()) return;
        var fifo = Path.Combine(Path.GetTempPath(), $"sada-fifo-{Guid.NewGuid():N}.png");
        using (var make = Process.Start("mkfifo", fifo)) await make.WaitForExitAsync();
        try
        {
            // Opening a FIFO with no writer blocks for ever: the test would hang, not fail, if the decoder opened it.
            var decode = Task.Run(() => Assert.Throws<CellImageException>(() => CellImageDecoder.Decode(fifo)));
            var refused = await decode.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal($"{fifo}: not a regular file: it is a FIFO (named pipe)", refused.Message);
        }
        finally { File.Delete(fifo); }
    }
}
