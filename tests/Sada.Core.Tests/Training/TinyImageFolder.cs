using Sada.Core.Data;
using SkiaSharp;

namespace Sada.Core.Tests.Training;

/// <summary>
/// A tiny two-class, multi-center image set written as PNGs: class 0 cells are reddish discs, class 1 bluish
/// squares; each center tints the whole image differently. Enough for a small model to learn in a few steps.
/// </summary>
public sealed class TinyImageFolder : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "sada-tiny-" + Guid.NewGuid().ToString("N"));
    public MultiCenterDataset Dataset { get; }

    public TinyImageFolder(int centers = 3, int perClass = 12, int size = 24, int seed = 0)
    {
        var rng = new Random(seed);
        var samples = new List<CellSample>();
        string[] classes = ["neutrophil", "lymphocyte"];
        for (int c = 0; c < centers; c++)
        {
            var tint = new SKColor((byte)(200 + 20 * c), (byte)(230 - 25 * c), (byte)(210 + 10 * c));
            for (int k = 0; k < classes.Length; k++)
            {
                var dir = Path.Combine(Root, $"center{c}", classes[k]);
                Directory.CreateDirectory(dir);
                for (int i = 0; i < perClass; i++)
                {
                    var path = Path.Combine(dir, $"{i}.png");
                    using var bitmap = new SKBitmap(size, size);
                    using var canvas = new SKCanvas(bitmap);
                    canvas.Clear(tint);
                    using var paint = new SKPaint { IsAntialias = true, Color = k == 0 ? new SKColor(180, 40, 60) : new SKColor(50, 60, 170) };
                    float r = size * (0.25f + 0.1f * (float)rng.NextDouble());
                    float cx = size / 2f + (float)(rng.NextDouble() - 0.5) * 4, cy = size / 2f + (float)(rng.NextDouble() - 0.5) * 4;
                    if (k == 0) canvas.DrawCircle(cx, cy, r, paint);
                    else canvas.DrawRect(cx - r, cy - r, 2 * r, 2 * r, paint);
                    using (var data = bitmap.Encode(SKEncodedImageFormat.Png, 100))
                    using (var file = File.Create(path)) data.SaveTo(file);
                    samples.Add(new CellSample(c, k, path));
                }
            }
        }
        Dataset = new MultiCenterDataset(Enumerable.Range(0, centers).Select(c => $"center{c}").ToList(), classes, samples);
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
