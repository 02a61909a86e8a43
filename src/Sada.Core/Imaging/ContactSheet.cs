using SkiaSharp;

namespace Sada.Core.Imaging;

/// <summary>
/// A labelled grid of cell images as one PNG: one row per center, one column per class, a few images per cell.
/// Pure SkiaSharp, fed with file paths, so the CLI and the web pages share it.
/// </summary>
public static class ContactSheet
{
    /// <param name="paths">paths[row][column]: the images to show in that cell (missing or unreadable ones leave a blank).</param>
    public static byte[] Render(IReadOnlyList<string> rows, IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyList<IReadOnlyList<string>>> paths,
        int tile = 64, int perCell = 2)
    {
        const int pad = 4, header = 22, labelWidth = 96;
        int cellWidth = perCell * tile + (perCell - 1) * 2;
        int width = labelWidth + columns.Count * (cellWidth + pad) + pad;
        int height = header + rows.Count * (tile + pad) + pad;
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var surface = SKSurface.Create(info);
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        // Not disposed: it may be Skia's shared default typeface. Without any font the grid renders unlabelled.
        var typeface = LabelTypeface();
        using var font = new SKFont(typeface, 13);
        using var ink = new SKPaint { Color = new SKColor(40, 40, 40), IsAntialias = true };
        using var smooth = new SKPaint { IsAntialias = true };
        var sampling = new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);
        for (int c = 0; c < columns.Count; c++)
            canvas.DrawText(columns[c], labelWidth + c * (cellWidth + pad) + cellWidth / 2f, header - 7, SKTextAlign.Center, font, ink);
        for (int r = 0; r < rows.Count; r++)
        {
            float top = header + r * (tile + pad);
            canvas.DrawText(rows[r], pad, top + tile / 2f + 5, SKTextAlign.Left, font, ink);
            for (int c = 0; c < columns.Count; c++)
            {
                var images = r < paths.Count && c < paths[r].Count ? paths[r][c] : [];
                for (int k = 0; k < Math.Min(perCell, images.Count); k++)
                {
                    using var image = Load(images[k]);
                    if (image is null) continue;
                    float left = labelWidth + c * (cellWidth + pad) + k * (tile + 2);
                    canvas.DrawImage(image, new SKRect(left, top, left + tile, top + tile), sampling, smooth);
                }
            }
        }
        using var snapshot = surface.Snapshot();
        using var png = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    /// <summary>A stored cell through the one decoder (its pixel limit and refusals), or null to leave a blank.</summary>
    static SKImage? Load(string path)
    {
        DecodedImage cell;
        try { cell = CellImageDecoder.Decode(path); }
        catch (CellImageException) { return null; }
        var rgba = new byte[cell.Width * cell.Height * 4];
        for (int i = 0, j = 0; i < rgba.Length; i += 4, j += 3)
            (rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]) = (cell.Rgb[j], cell.Rgb[j + 1], cell.Rgb[j + 2], 255);
        return SKImage.FromPixelCopy(new SKImageInfo(cell.Width, cell.Height, SKColorType.Rgba8888, SKAlphaType.Opaque), rgba);
    }

    /// <summary>
    /// Skia's portable Linux build has no fontconfig, so its default typeface has no glyphs: load a sans-serif
    /// font file from the usual system folders instead.
    /// </summary>
    public static SKTypeface LabelTypeface()
    {
        var fallback = SKTypeface.Default;
        if (fallback.GlyphCount > 0) return fallback;
        string[] preferred = ["DejaVuSans.ttf", "LiberationSans-Regular.ttf", "NotoSans-Regular.ttf", "Arial.ttf", "arial.ttf"];
        string[] roots = ["/usr/share/fonts", "/usr/local/share/fonts", "/Library/Fonts", "/System/Library/Fonts", Environment.GetFolderPath(Environment.SpecialFolder.Fonts)];
        foreach (var root in roots.Where(r => !string.IsNullOrEmpty(r) && Directory.Exists(r)))
        {
            var files = Directory.EnumerateFiles(root, "*.ttf", SearchOption.AllDirectories).ToList();
            var pick = preferred.Select(p => files.FirstOrDefault(f => Path.GetFileName(f) == p)).FirstOrDefault(f => f is not null) ?? files.FirstOrDefault();
            if (pick is not null && SKTypeface.FromFile(pick) is { GlyphCount: > 0 } typeface) return typeface;
        }
        return fallback;
    }
}
