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
/// </summary>
public static class CellImageDecoder
{
    /// <summary>Smaller images carry too little of a cell to classify, and break random resized crops.</summary>
    public const int MinSide = 16;

    public static DecodedImage Decode(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CellImageException($"{path}: cannot read the file: {e.Message}");
        }
        try { return Decode(bytes); }
        catch (CellImageException e) { throw new CellImageException($"{path}: {e.Message}"); }
    }

    public static DecodedImage Decode(byte[] bytes) => Decode(bytes.AsSpan());

    public static DecodedImage Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0) throw new CellImageException("zero-byte file (empty, not an image)");
        if (Sniff(bytes) == "tiff") return DecodeTiff(bytes.ToArray());
        using var stream = new SKMemoryStream(bytes.ToArray());
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
        if (width < MinSide || height < MinSide)
            throw new CellImageException($"image too small: {width}x{height} px, below the {MinSide}x{MinSide} minimum");

        // Unpremultiplied RGBA whatever the source (gray, palette, 16-bit, alpha), so alpha can be composited here.
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = new byte[info.BytesSize];
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

    /// <summary>TIFF (any photometric interpretation LibTiff reads) to RGB, alpha over white like the other formats.</summary>
    static DecodedImage DecodeTiff(byte[] bytes)
    {
        // LibTiff reports problems through a static handler; silence it and judge by return values instead.
        Tiff.SetErrorHandler(QuietTiffErrors.Instance);
        using var tiff = Tiff.ClientOpen("image", "r", new MemoryStream(bytes), new TiffStream());
        if (tiff is null) throw new CellImageException("corrupt image: the TIFF header cannot be read");
        int width = tiff.GetField(TiffTag.IMAGEWIDTH)?[0].ToInt() ?? 0;
        int height = tiff.GetField(TiffTag.IMAGELENGTH)?[0].ToInt() ?? 0;
        if (width <= 0 || height <= 0) throw new CellImageException("corrupt image: the TIFF has no image size");
        if (width < MinSide || height < MinSide)
            throw new CellImageException($"image too small: {width}x{height} px, below the {MinSide}x{MinSide} minimum");
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
