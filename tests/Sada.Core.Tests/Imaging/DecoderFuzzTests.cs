using System.Buffers.Binary;
using System.Diagnostics;
using BitMiracle.LibTiff.Classic;
using Sada.Core.Imaging;
using Xunit.Abstractions;

namespace Sada.Core.Tests.Imaging;

/// <summary>
/// Seeded random corruptions of valid PNG, JPEG, BMP and TIFF cells through the decoder: truncations, flipped bytes,
/// overwritten header bytes and rewritten size fields. Each one decodes or is refused with a
/// <see cref="CellImageException"/>, and no decode allocates more than the pixel limit allows.
/// </summary>
public class DecoderFuzzTests(ITestOutputHelper output)
{
    const int Cases = 400;
    const long Limit = 1_000_000; // small, so a header that lies within the limit still costs little

    static readonly TiffTag[] TiffTags =
    [
        TiffTag.IMAGEWIDTH, TiffTag.IMAGELENGTH, TiffTag.BITSPERSAMPLE, TiffTag.SAMPLESPERPIXEL, TiffTag.ROWSPERSTRIP,
        TiffTag.STRIPBYTECOUNTS, TiffTag.STRIPOFFSETS, TiffTag.COMPRESSION, TiffTag.PHOTOMETRIC, TiffTag.PLANARCONFIG,
    ];

    [Fact]
    public void Hundreds_of_corrupted_cells_decode_or_are_refused_within_a_memory_bound()
    {
        var originals = new (string Format, byte[] Bytes)[]
        {
            ("png", TestImages.Png(40, 32)), ("jpeg", TestImages.Jpeg(48, 40)), ("bmp", HostileImages.Bmp(36, 24)), ("tiff", HostileImages.Tiff(32, 28)),
        };
        var random = new Random(20261129);
        var watch = Stopwatch.StartNew();
        long worst = 0;
        int decoded = 0, refused = 0;
        for (int n = 0; n < Cases; n++)
        {
            var (format, original) = originals[n % originals.Length];
            var (what, bytes) = Corrupt(format, original, random);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                var image = CellImageDecoder.Decode(bytes, Limit);
                Assert.True((long)image.Width * image.Height <= Limit, $"case {n} ({format}, {what}): decoded {image.Width}x{image.Height}");
                Assert.Equal(image.Width * image.Height * 3, image.Rgb.Length);
                decoded++;
            }
            catch (CellImageException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"case {n} ({format}, {what}): {e.GetType().Name} escaped the decoder: {e.Message}");
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            worst = Math.Max(worst, allocated);
            // A decode holds RGBA and RGB (7 bytes a pixel, 8 for TIFF's raster) and a few copies of the file.
            long bound = 9 * Limit + 8L * bytes.Length + (2 << 20);
            Assert.True(allocated <= bound, $"case {n} ({format}, {what}): {allocated:N0} bytes allocated, over {bound:N0}");
        }
        output.WriteLine($"{Cases} cases in {watch.Elapsed.TotalSeconds:F2} s: {decoded} decoded, {refused} refused; at most {worst:N0} bytes allocated by one decode");
        Assert.True(refused > Cases / 4, "most corruptions should be refused, or the fuzzing is too gentle to test anything");
    }

    static (string What, byte[] Bytes) Corrupt(string format, byte[] original, Random random)
    {
        var bytes = (byte[])original.Clone();
        switch (random.Next(5))
        {
            case 0:
                int keep = random.Next(1, bytes.Length);
                return ($"truncated to {keep} bytes", bytes[..keep]);
            case 1:
                int flips = random.Next(1, 9);
                for (int k = 0; k < flips; k++) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return ($"{flips} bit(s) flipped", bytes);
            case 2:
                int at = random.Next(Math.Min(64, bytes.Length));
                int run = random.Next(1, 9);
                for (int k = at; k < Math.Min(bytes.Length, at + run); k++) bytes[k] = (byte)random.Next(256);
                return ($"{run} header byte(s) from {at} overwritten", bytes);
            default:
                return RewriteField(format, bytes, random);
        }
    }

    /// <summary>One size or layout field set to a random value, small or huge.</summary>
    static (string What, byte[] Bytes) RewriteField(string format, byte[] bytes, Random random)
    {
        uint Any() => random.Next(3) switch
        {
            0 => (uint)random.Next(0, 70_000),
            1 => (uint)random.Next(0, 4096),
            _ => (uint)random.NextInt64(0, uint.MaxValue + 1L),
        };
        switch (format)
        {
            case "png":
                var (pw, ph) = (Any(), Any());
                // Half keep a valid CRC, so the codec believes the header; half do not.
                if (random.Next(2) == 0) return ($"IHDR {pw}x{ph}", HostileImages.WithPngSize(bytes, pw, ph));
                BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(16), pw);
                BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(20), ph);
                return ($"IHDR {pw}x{ph}, stale CRC", bytes);
            case "bmp":
                var (bw, bh) = ((int)Any(), (int)Any());
                return ($"BMP {bw}x{bh}", HostileImages.WithBmpSize(bytes, bw, bh));
            case "jpeg":
                int sof = HostileImages.JpegSof(bytes);
                int field = random.Next(4);
                if (field < 2)
                {
                    var value = (ushort)Any();
                    BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(sof + (field == 0 ? 5 : 7)), value);
                    return ($"SOF {(field == 0 ? "height" : "width")} {value}", bytes);
                }
                int offset = field == 2 ? sof + 4 : sof + 9; // precision, or the number of components
                bytes[offset] = (byte)random.Next(256);
                return ($"SOF byte {offset - sof} = {bytes[offset]}", bytes);
            default:
                var tag = TiffTags[random.Next(TiffTags.Length)];
                var tiffValue = Any();
                return ($"TIFF {tag} = {tiffValue}", HostileImages.WithTiffTag(bytes, tag, tiffValue));
        }
    }
}
