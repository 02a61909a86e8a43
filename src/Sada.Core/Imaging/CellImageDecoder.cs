using BitMiracle.LibTiff.Classic;
using SkiaSharp;

namespace Sada.Core.Imaging;

/// <summary>A decoded image: <paramref name="Rgb"/> is height x width x 3 bytes (HWC, row-major).</summary>
public sealed record DecodedImage(int Width, int Height, byte[] Rgb);

/// <summary>An image that cannot be used; <see cref="Exception.Message"/> names the problem.</summary>
public sealed class CellImageException(string message) : Exception(message);

/// <summary>
/// Decodes cell images (PNG, JPEG, BMP and what else Skia reads, and TIFF through LibTiff.Net) to RGB. Grayscale and RGBA images are
/// converted (alpha composited on white, the slide's background) rather than refused; empty, corrupt,
/// truncated, non-image and too small inputs throw a <see cref="CellImageException"/> saying which.
/// The header is read first: an image above the pixel limit (<see cref="MaxPixels"/>, or the one given) or whose header
/// lies about its size is refused before any pixel buffer exists, so one decode never holds more than about
/// 8 bytes per allowed pixel. No other exception leaves a decode.
/// </summary>
public static class CellImageDecoder
{
    /// <summary>Smaller images carry too little of a cell to classify, and break random resized crops.</summary>
    public const int MinSide = 16;

    /// <summary>40 megapixels: far above any cell crop (a few hundred pixels a side), far below what exhausts a server.</summary>
    public const long DefaultMaxPixels = 40_000_000;

    /// <summary>The largest limit that can be set: the RGBA buffer of one decode must stay under 2 GiB.</summary>
    public const long UpperMaxPixels = 500_000_000;

    static long processLimit = DefaultMaxPixels;

    /// <summary>
    /// The pixel limit of decodes that are not given one: <c>Sada:MaxImagePixels</c>, set once at start by the web app and the CLI.
    /// </summary>
    public static long MaxPixels
    {
        get => Interlocked.Read(ref processLimit);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, (long)MinSide * MinSide);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, UpperMaxPixels);
            Interlocked.Exchange(ref processLimit, value);
        }
    }

    /// <summary>
    /// The largest file read for an image of at most <paramref name="pixels"/> pixels: 8 bytes a pixel (16-bit RGBA, uncompressed)
    /// and 1 MiB of headers and metadata. A larger file cannot be a picture within the limit.
    /// </summary>
    public static long MaxFileBytes(long pixels) => pixels * 8 + (1 << 20);

    /// <summary>
    /// Decodes a file. Anything but a regular file (a device such as /dev/zero, a FIFO) is refused before it is opened,
    /// and no more than its reported length (at most <see cref="MaxFileBytes"/>) is ever read. Messages start with the path.
    /// </summary>
    public static DecodedImage Decode(string path, long? maxPixels = null)
    {
        long limit = maxPixels ?? MaxPixels;
        try { return Decode(ImageFile.Read(path, MaxFileBytes(limit)), limit); }
        catch (CellImageException e) { throw new CellImageException($"{path}: {e.Message}"); }
    }

    public static DecodedImage Decode(byte[] bytes, long? maxPixels = null) => Decode(bytes.AsSpan(), maxPixels);

    public static DecodedImage Decode(ReadOnlySpan<byte> bytes, long? maxPixels = null)
    {
        long limit = maxPixels ?? MaxPixels;
        if (bytes.Length == 0) throw new CellImageException("zero-byte file (empty, not an image)");
        try
        {
            return Sniff(bytes) == "tiff" ? DecodeTiff(bytes.ToArray(), limit) : DecodeWithSkia(bytes, limit);
        }
        catch (CellImageException) { throw; }
        catch (Exception e)
        {
            // Corrupt input can trip checks deep inside a codec (LibTiff's index and format errors above all):
            // whatever the codec throws, it is this file that is unusable, not the caller that failed.
            throw new CellImageException($"corrupt image: the decoder failed ({e.GetType().Name}: {e.Message})");
        }
    }

    static DecodedImage DecodeWithSkia(ReadOnlySpan<byte> bytes, long limit)
    {
        using var stream = new SKMemoryStream(bytes.ToArray());
        // Reads the header only; no pixel is decoded before GetPixels.
        using var codec = SKCodec.Create(stream, out var created);
        if (codec is null)
        {
            // Skia says "incomplete" for any short unknown input, so the signature decides between the two.
            throw new CellImageException(Sniff(bytes) switch
            {
                null => "not an image: the bytes are not in a format the decoder reads (PNG, JPEG, BMP, GIF, WebP, TIFF)",
                var format => $"truncated image: the {format.ToUpperInvariant()} file ends inside its header ({created})",
            });
        }
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        CheckSize(width, height, limit);
        if (Sniff(bytes) == "png") CheckPngCanHold(width, height, bytes.Length);

        // Unpremultiplied RGBA whatever the source (gray, palette, 16-bit, alpha), so alpha can be composited here.
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = new byte[(long)width * height * 4];
        SKCodecResult result;
        unsafe
        {
            fixed (byte* p = rgba) result = codec.GetPixels(info, (IntPtr)p);
        }
        switch (result)
        {
            case SKCodecResult.Success:
                break;
            case SKCodecResult.IncompleteInput:
                // Skia fills the missing rows and reports it; a cut-off file is refused, not half-grey.
                throw new CellImageException("truncated image: the file ends before the picture is complete");
            default:
                throw new CellImageException($"corrupt image: the decoder stopped with '{result}'");
        }
        return new DecodedImage(width, height, ToRgbOnWhite(rgba, width * height));
    }

    /// <summary>Refuses a header's size before anything is allocated for it: nonsense, too small, or above the pixel limit.</summary>
    static void CheckSize(long width, long height, long limit)
    {
        if (width <= 0 || height <= 0)
            throw new CellImageException($"corrupt image: the header declares {width}x{height} px");
        if (width < MinSide || height < MinSide)
            throw new CellImageException($"image too small: {width}x{height} px, below the {MinSide}x{MinSide} minimum");
        if (width * height > limit)
            throw new CellImageException($"image too large: {width}x{height} px ({width * height:N0} pixels), above the {limit:N0}-pixel limit");
    }

    /// <summary>
    /// A PNG's rows (a filter byte and at least one bit a pixel each) are deflated, and deflate shrinks data at most
    /// about 1032-fold: a file too short for the size its header declares is lying, whatever the pixel limit.
    /// </summary>
    static void CheckPngCanHold(long width, long height, long fileBytes)
    {
        const long MaxDeflateRatio = 1100; // 1032 and some slack
        long rawAtLeast = height * (1 + (width + 7) / 8);
        if (rawAtLeast > MaxDeflateRatio * fileBytes)
            throw new CellImageException($"corrupt image: the PNG header declares {width}x{height} px, more than its {fileBytes:N0} bytes can hold");
    }

    /// <summary>TIFF (any photometric interpretation LibTiff reads) to RGB, alpha over white like the other formats.</summary>
    static DecodedImage DecodeTiff(byte[] bytes, long limit)
    {
        // LibTiff reports problems through a static handler; silence it and judge by return values instead.
        Tiff.SetErrorHandler(QuietTiffErrors.Instance);
        using var tiff = Tiff.ClientOpen("image", "r", new MemoryStream(bytes), new TiffStream());
        if (tiff is null) throw new CellImageException("corrupt image: the TIFF header cannot be read");
        int width = tiff.GetField(TiffTag.IMAGEWIDTH)?[0].ToInt() ?? 0;
        int height = tiff.GetField(TiffTag.IMAGELENGTH)?[0].ToInt() ?? 0;
        if (width <= 0 || height <= 0) throw new CellImageException("corrupt image: the TIFF has no image size");
        CheckSize(width, height, limit);
        CheckTiffLayout(tiff, bytes.Length);
        var raster = new int[width * height];
        if (!tiff.ReadRGBAImageOriented(width, height, raster, Orientation.TOPLEFT))
            throw new CellImageException("corrupt or truncated image: the TIFF's pixel data cannot be read");
        // Each int holds A, B, G, R from the high byte down.
        var rgba = new byte[raster.Length * 4];
        for (int i = 0; i < raster.Length; i++)
        {
            int v = raster[i];
            rgba[4 * i] = (byte)Tiff.GetR(v);
            rgba[4 * i + 1] = (byte)Tiff.GetG(v);
            rgba[4 * i + 2] = (byte)Tiff.GetB(v);
            rgba[4 * i + 3] = (byte)Tiff.GetA(v);
        }
        return new DecodedImage(width, height, ToRgbOnWhite(rgba, raster.Length));
    }

    /// <summary>
    /// The tags LibTiff sizes its buffers by, checked against the file before any strip or tile is read: sample sizes it can
    /// convert, strips and tiles no larger than the image allows, and raw byte counts that fit inside the file.
    /// </summary>
    static void CheckTiffLayout(Tiff tiff, long fileBytes)
    {
        int bits = tiff.GetField(TiffTag.BITSPERSAMPLE)?[0].ToInt() ?? 1;
        int samples = tiff.GetField(TiffTag.SAMPLESPERPIXEL)?[0].ToInt() ?? 1;
        if (bits is not (1 or 2 or 4 or 8 or 16))
            throw new CellImageException($"corrupt image: the TIFF declares {bits} bits per sample (1, 2, 4, 8 or 16 are read)");
        if (samples is < 1 or > 8)
            throw new CellImageException($"corrupt image: the TIFF declares {samples} samples per pixel");
        bool tiled = tiff.IsTiled();
        long block = tiled ? tiff.TileSize() : tiff.StripSize();
        long width = tiff.GetField(TiffTag.IMAGEWIDTH)![0].ToInt();
        long height = tiff.GetField(TiffTag.IMAGELENGTH)![0].ToInt();
        // A strip is at most the whole image; a tile may overhang the image's edge, but not by more than a tile's own side.
        long tileSide = tiled ? Math.Max(tiff.GetField(TiffTag.TILEWIDTH)?[0].ToInt() ?? 0, tiff.GetField(TiffTag.TILELENGTH)?[0].ToInt() ?? 0) : 0;
        long most = (width + tileSide) * (height + tileSide) * samples * 2 + 1024;
        if (block <= 0 || block > most)
            throw new CellImageException($"corrupt image: the TIFF's {(tiled ? "tile" : "strip")} size ({block:N0} bytes) does not fit a {width}x{height} image");
        var counts = tiff.GetField(tiled ? TiffTag.TILEBYTECOUNTS : TiffTag.STRIPBYTECOUNTS)?[0].TolongArray() ?? [];
        var offsets = tiff.GetField(tiled ? TiffTag.TILEOFFSETS : TiffTag.STRIPOFFSETS)?[0].TolongArray() ?? [];
        for (int i = 0; i < counts.Length; i++)
        {
            long offset = i < offsets.Length ? offsets[i] : 0;
            if (counts[i] < 0 || offset < 0 || counts[i] > fileBytes || offset > fileBytes - counts[i])
                throw new CellImageException($"corrupt or truncated image: the TIFF's {(tiled ? "tile" : "strip")} {i} lies outside the file's {fileBytes:N0} bytes");
        }
    }

    sealed class QuietTiffErrors : TiffErrorHandler
    {
        public static readonly QuietTiffErrors Instance = new();
        public override void ErrorHandler(Tiff tif, string method, string format, params object[] args) { }
        public override void WarningHandler(Tiff tif, string method, string format, params object[] args) { }
    }

    /// <summary>The format a file's first bytes announce, or null.</summary>
    static string? Sniff(ReadOnlySpan<byte> b)
    {
        if (b.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G'])) return "png";
        if (b.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return "jpeg";
        if (b.StartsWith("BM"u8)) return "bmp";
        if (b.StartsWith("GIF8"u8)) return "gif";
        if (b.StartsWith("RIFF"u8) && b.Length >= 12 && b[8..12].SequenceEqual("WEBP"u8)) return "webp";
        if (b.StartsWith("II*\0"u8) || b.StartsWith((ReadOnlySpan<byte>)[(byte)'M', (byte)'M', 0, 42])) return "tiff";
        return null;
    }

    static byte[] ToRgbOnWhite(byte[] rgba, int pixels)
    {
        var rgb = new byte[pixels * 3];
        for (int i = 0; i < pixels; i++)
        {
            int a = rgba[4 * i + 3];
            for (int c = 0; c < 3; c++)
            {
                int v = rgba[4 * i + c];
                rgb[3 * i + c] = a == 255 ? (byte)v : (byte)((v * a + 255 * (255 - a) + 127) / 255);
            }
        }
        return rgb;
    }
}
